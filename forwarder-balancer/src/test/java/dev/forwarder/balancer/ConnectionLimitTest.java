package dev.forwarder.balancer;

import dev.forwarder.core.Backend;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** max-connections per member (the queue of connections waiting for room: {@link WaitQueueTest}). */
class ConnectionLimitTest {

    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40000);

    private static Pool limited(int members, int max) {
        return Pool.builder("limited", BalancingStrategy.roundRobin(), TestMembers.specs(members))
                .settings(PoolSettings.STATIC.withMaxConnections(max)).build();
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
