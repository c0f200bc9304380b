package dev.forwarder.balancer;

import dev.forwarder.core.Backend;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A member that comes back ramps its effective weight, and with it its share of new connections. */
class SlowStartTest {

    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40000);

    @Test
    void aReturningMembersShareOfPicksGrowsOverTheSlowStart() {
        PoolSettings settings = PoolSettings.STATIC.withPassive(1, Duration.ofMillis(200))
                .withSlowStart(Duration.ofSeconds(2));
        try (Pool pool = Pool.builder("slow", BalancingStrategy.roundRobin(), TestMembers.specs(2))
                .settings(settings).build()) {
            PoolMember returning = pool.members().get(0);
            Backend picked = pool.choose(CLIENT, List.of());
            while (picked != returning) {
                pool.released(picked);
                picked = pool.choose(CLIENT, List.of());
            }
            pool.connectFailed(returning, new ConnectException("refused"));
            await().atMost(Duration.ofSeconds(1)).until(() -> returning.state() == MemberState.FAILED);
            await().atMost(Duration.ofSeconds(2)).until(() -> returning.state() == MemberState.UP);

            // Sample the share in successive windows until the ramp is over.
            List<Double> shares = new ArrayList<>();
            List<Double> weights = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
            while (returning.effectiveWeight() < returning.weight() && System.nanoTime() < deadline) {
                double weight = returning.effectiveWeight();
                weights.add(weight);
                shares.add(shareOf(pool, returning));
                // The next step of the ramp (every 1/10 of slow-start).
                await().atMost(Duration.ofSeconds(2)).until(() -> returning.effectiveWeight() > weight);
            }
            shares.add(shareOf(pool, returning));
            assertThat(shares.get(0)).isLessThan(0.2);
            assertThat(shares.get(shares.size() - 1)).isBetween(0.45, 0.55);
            assertThat(shares).hasSizeGreaterThanOrEqualTo(4);
            assertThat(weights).isSorted();
            // The middle of the ramp sits between its ends.
            assertThat(shares.get(shares.size() / 2)).isBetween(shares.get(0), 0.55);
        }
    }

    @Test
    void noSlowStartForAMemberThatWasNeverUp() {
        try (Pool pool = Pool.builder("fresh", BalancingStrategy.roundRobin(), TestMembers.specs(2))
                .settings(PoolSettings.STATIC.withSlowStart(Duration.ofSeconds(30))).build()) {
            assertThat(pool.members()).allSatisfy(m -> assertThat(m.effectiveWeight()).isEqualTo(1.0));
        }
    }

    private static double shareOf(Pool pool, PoolMember member) {
        int hits = 0;
        int picks = 2_000;
        for (int i = 0; i < picks; i++) {
            Backend backend = pool.choose(CLIENT, List.of());
            hits += backend == member ? 1 : 0;
            pool.released(backend);
        }
        return hits / (double) picks;
    }
}
