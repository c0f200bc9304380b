package dev.forwarder.balancer;

import dev.forwarder.core.Backend;
import dev.forwarder.core.Waiter;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** max-connections per member, and the queue of connections waiting for room. */
class ConnectionLimitTest {

    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40000);

    private static Pool limited(int members, int max) {
        return Pool.builder("limited", BalancingStrategy.roundRobin(), TestMembers.specs(members))
                .settings(PoolSettings.STATIC.withMaxConnections(max)).build();
    }

    /** A waiter that counts its wake-ups and may refuse them (it gave up). */
    private static final class CountingWaiter implements Waiter {
        final AtomicInteger wakes = new AtomicInteger();
        final boolean stillWaiting;

        CountingWaiter(boolean stillWaiting) {
            this.stillWaiting = stillWaiting;
        }

        @Override
        public boolean wake(dev.forwarder.core.Backend reserved) {
            wakes.incrementAndGet();
            return stillWaiting;
        }
    }

    @Test
    void skipsFullMembersAndReturnsNullWhenAllAreFull() {
        Pool pool = limited(2, 2);
        List<Backend> held = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            held.add(pool.choose(CLIENT, List.of()));
        }
        assertThat(held).doesNotContainNull();
        assertThat(pool.members()).allSatisfy(m -> assertThat(m.activeConnections()).isEqualTo(2));
        assertThat(pool.choose(CLIENT, List.of())).isNull();
        pool.released(held.get(0));
        assertThat(pool.choose(CLIENT, List.of())).isSameAs(held.get(0));
    }

    @Test
    void aBackendsOwnLimitOverridesThePools() {
        Pool pool = Pool.builder("own", BalancingStrategy.roundRobin(), List.of(
                        new BackendSpec("127.0.0.1", 9001, 1, false, 1),
                        new BackendSpec("127.0.0.1", 9002, 1, false)))
                .settings(PoolSettings.STATIC.withMaxConnections(3)).build();
        assertThat(pool.members().get(0).maxConnections()).isEqualTo(1);
        assertThat(pool.members().get(1).maxConnections()).isEqualTo(3);
        List<Backend> held = new ArrayList<>();
        for (Backend b = pool.choose(CLIENT, List.of()); b != null; b = pool.choose(CLIENT, List.of())) {
            held.add(b);
        }
        assertThat(held).hasSize(4);
    }

    @Test
    void aReleaseWakesOneWaiterAndSkipsOnesThatGaveUp() {
        Pool pool = limited(1, 1);
        Backend held = pool.choose(CLIENT, List.of());
        assertThat(pool.choose(CLIENT, List.of())).isNull();
        CountingWaiter gaveUp = new CountingWaiter(false);
        CountingWaiter waiting = new CountingWaiter(true);
        CountingWaiter later = new CountingWaiter(true);
        assertThat(pool.awaitBackend(gaveUp)).isNull();
        assertThat(pool.awaitBackend(waiting)).isNull();
        assertThat(pool.awaitBackend(later)).isNull();
        assertThat(pool.waiting()).isEqualTo(3);

        pool.released(held);

        assertThat(gaveUp.wakes).hasValue(1);
        assertThat(waiting.wakes).hasValue(1);
        assertThat(later.wakes).hasValue(0);
        assertThat(pool.waiting()).isEqualTo(1);
    }

    @Test
    void aWaiterAddedAfterTheLastReleaseIsWokenAtOnce() {
        Pool pool = limited(1, 1);
        CountingWaiter waiter = new CountingWaiter(true);
        assertThat(pool.awaitBackend(waiter)).isNull();
        assertThat(waiter.wakes).hasValue(1);
    }

    @Test
    void noWaitingWhenNoMemberIsUp() {
        Pool pool = Pool.builder("down", BalancingStrategy.roundRobin(), TestMembers.specs(1))
                .settings(PoolSettings.STATIC.withPassive(1, java.time.Duration.ofMinutes(1))).build();
        PoolMember member = pool.members().get(0);
        member.acquired();
        pool.connectFailed(member, new ConnectException("refused"));
        org.awaitility.Awaitility.await().until(() -> !pool.available());
        assertThat(pool.choose(CLIENT, List.of())).isNull();
        assertThat(pool.awaitBackend(new CountingWaiter(true))).isEqualTo(dev.forwarder.core.CloseReason.NO_BACKEND);
        pool.close();
    }

    @Test
    void concurrentPicksNeverExceedTheLimitAndLeaveCountsAtZero() throws Exception {
        int max = 3;
        Pool pool = limited(4, max);
        AtomicInteger overLimit = new AtomicInteger();
        ConcurrentChurn.run(pool, 8, 50_000, 3, i -> CLIENT, picked -> {
            if (picked != null && ((PoolMember) picked).activeConnections() > max) {
                overLimit.incrementAndGet();
            }
        });
        assertThat(overLimit).hasValue(0);
        assertThat(pool.members()).allSatisfy(m -> assertThat(m.activeConnections()).isZero());
    }
}
