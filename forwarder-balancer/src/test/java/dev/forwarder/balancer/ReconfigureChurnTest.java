package dev.forwarder.balancer;

import dev.forwarder.core.Backend;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Pick loops on several threads while the pool is reconfigured again and again: each reconfiguration removes the
 * lowest port and adds a higher one, so a removed member never comes back. Once a reconfiguration has returned, no
 * pick returns a member it removed, and at the end every count is zero.
 */
class ReconfigureChurnTest {

    private static final int THREADS = 4;
    private static final int MEMBERS = 4;
    private static final int RECONFIGURATIONS = 200;
    private static final int FIRST_PORT = 9001;

    /** Picks to wait for after each reconfiguration, so the pick loops see every window even on a loaded machine. */
    private static final int PICKS_PER_WINDOW = 16;

    /**
     * Waits (bounded) until the pick loops have made {@code count} more picks: without it, a starved pick thread on a
     * busy 2-core machine lets the reconfiguration loop run through many windows unseen (CI saw 88 members of 203).
     */
    private static void awaitPicks(AtomicInteger picks, int count) {
        int target = picks.get() + count;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (picks.get() < target && System.nanoTime() < deadline) {
            Thread.yield();
        }
    }

    private static List<BackendSpec> window(int first, int weightOfLast) {
        List<BackendSpec> specs = new ArrayList<>();
        for (int i = 0; i < MEMBERS; i++) {
            specs.add(new BackendSpec("127.0.0.1", first + i, i == MEMBERS - 1 ? weightOfLast : 1, false));
        }
        return specs;
    }

    @Test
    void picksNeverReturnARemovedMemberOnceTheCallHasReturnedAndCountsEndAtZero() throws Exception {
        InetSocketAddress[] clients = TestMembers.clients(256, 3);
        try (Pool pool = Pool.builder("churn", BalancingStrategy.roundRobin(), window(FIRST_PORT, 1))
                .settings(PoolSettings.STATIC.withMaxConnections(1_000)).build()) {
            // The lowest port a pick may return: raised after each reconfiguration returns.
            AtomicInteger lowestAllowed = new AtomicInteger(FIRST_PORT);
            AtomicInteger stale = new AtomicInteger();
            AtomicInteger picks = new AtomicInteger();
            AtomicBoolean done = new AtomicBoolean();
            Set<PoolMember> seen = ConcurrentHashMap.newKeySet();
            ExecutorService executor = Executors.newFixedThreadPool(THREADS);
            try {
                List<Future<?>> loops = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    loops.add(executor.submit(() -> {
                        Backend[] open = new Backend[3];
                        for (int i = 0; !done.get(); i++) {
                            int slot = i % open.length;
                            if (open[slot] != null) {
                                pool.released(open[slot]);
                            }
                            int allowed = lowestAllowed.get();
                            Backend picked = pool.choose(clients[i & 255], List.of());
                            open[slot] = picked;
                            if (picked != null) {
                                picks.incrementAndGet();
                                seen.add((PoolMember) picked);
                                if (picked.address().getPort() < allowed) {
                                    stale.incrementAndGet();
                                }
                            }
                        }
                        for (Backend backend : open) {
                            if (backend != null) {
                                pool.released(backend);
                            }
                        }
                        return null;
                    }));
                }
                BalancingStrategy[] strategies = {BalancingStrategy.leastConnections(), BalancingStrategy.maglev(),
                        BalancingStrategy.randomTwo(), BalancingStrategy.roundRobin()};
                for (int r = 1; r <= RECONFIGURATIONS; r++) {
                    pool.reconfigure(strategies[r % strategies.length], PoolSettings.STATIC.withMaxConnections(1_000),
                            window(FIRST_PORT + r, 1 + r % 3), null);
                    lowestAllowed.set(FIRST_PORT + r);
                    awaitPicks(picks, PICKS_PER_WINDOW);
                }
                done.set(true);
                for (Future<?> loop : loops) {
                    loop.get(30, TimeUnit.SECONDS);
                }
            } finally {
                executor.shutdownNow();
            }
            assertThat(picks).hasPositiveValue();
            assertThat(stale).as("picks of a removed member after its removal returned").hasValue(0);
            assertThat(seen).as("members picked").hasSizeGreaterThan(RECONFIGURATIONS / 2);
            assertThat(seen).allSatisfy(m -> assertThat(m.activeConnections()).as("active of %s", m).isZero());
            await().atMost(Duration.ofSeconds(5)).until(() -> pool.members().size() == MEMBERS);
            assertThat(pool.members()).extracting(m -> m.address().getPort())
                    .containsExactly(FIRST_PORT + RECONFIGURATIONS, FIRST_PORT + RECONFIGURATIONS + 1,
                            FIRST_PORT + RECONFIGURATIONS + 2, FIRST_PORT + RECONFIGURATIONS + 3);
            assertThat(pool.members()).allSatisfy(m -> assertThat(m.state()).isEqualTo(MemberState.UP));
        }
    }
}
