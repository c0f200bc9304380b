package dev.forwarder.balancer;

import dev.forwarder.core.Backend;
import dev.forwarder.core.ConnectPolicy;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PoolTest {

    private static final int THREADS = 8;
    private static final int PICKS_PER_THREAD = 100_000;
    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40000);

    static List<String> strategies() {
        return BalancingStrategy.names();
    }

    @ParameterizedTest
    @MethodSource("strategies")
    void concurrentPicksAndReleasesLeaveEveryActiveCountAtZero(String strategy) throws Exception {
        List<BackendSpec> specs = new ArrayList<>(TestMembers.specs(5));
        specs.set(0, new BackendSpec("127.0.0.1", 9001, 3, false));
        Pool pool = Pool.of("p", BalancingStrategy.named(strategy), specs);
        InetSocketAddress[] clients = TestMembers.clients(1_024, 7);
        // Each thread keeps a few connections open at a time, so the counts really move.
        ConcurrentChurn.run(pool, THREADS, PICKS_PER_THREAD, 4, i -> clients[i & 1023], picked -> { });
        assertThat(pool.members()).allSatisfy(member -> assertThat(member.activeConnections())
                .as("active connections of %s", member).isZero());
    }

    @ParameterizedTest
    @MethodSource("strategies")
    void usesBackupsOnlyWhenEveryPrimaryHasFailedTheConnection(String strategy) {
        Pool pool = Pool.of("p", BalancingStrategy.named(strategy), List.of(
                new BackendSpec("127.0.0.1", 9001, 1, false),
                new BackendSpec("127.0.0.1", 9002, 1, false),
                new BackendSpec("127.0.0.1", 9003, 5, true)));
        PoolMember first = pool.members().get(0);
        PoolMember second = pool.members().get(1);
        PoolMember backup = pool.members().get(2);
        for (InetSocketAddress client : TestMembers.clients(1_000, 8)) {
            Backend picked = pool.choose(client, List.of());
            assertThat(picked).isNotSameAs(backup);
            pool.released(picked);
        }
        assertThat(pool.choose(CLIENT, List.of(first))).isSameAs(second);
        assertThat(pool.choose(CLIENT, List.of(first, second))).isSameAs(backup);
    }

    @Test
    void picksAmongBackupsWhenThereAreNoPrimaries() {
        Pool pool = Pool.of("p", BalancingStrategy.roundRobin(), List.of(
                new BackendSpec("127.0.0.1", 9001, 1, true),
                new BackendSpec("127.0.0.1", 9002, 1, true)));
        assertThat(pool.choose(CLIENT, List.of())).isIn(pool.members());
    }

    @Test
    void countsAPickAsActiveUntilItEnds() {
        Pool pool = Pool.of("p", BalancingStrategy.leastConnections(), TestMembers.specs(1));
        Backend backend = pool.choose(CLIENT, List.of());
        assertThat(pool.members().get(0).activeConnections()).isEqualTo(1);
        pool.released(backend);
        assertThat(pool.members().get(0).activeConnections()).isZero();
    }

    @Test
    void hasTheConnectPolicyItWasBuiltWithOrNone() {
        ConnectPolicy policy = new ConnectPolicy(2, Duration.ofSeconds(4), Duration.ofSeconds(1));
        assertThat(Pool.builder("p", BalancingStrategy.roundRobin(), TestMembers.specs(1)).connectPolicy(policy)
                .build().connectPolicy()).isSameAs(policy);
        assertThat(Pool.of("p", BalancingStrategy.roundRobin(), TestMembers.specs(1)).connectPolicy()).isNull();
    }

    @Test
    void rejectsAnEmptyBackendList() {
        assertThatThrownBy(() -> Pool.of("p", BalancingStrategy.roundRobin(), List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("backends: [] (expected: at least one backend)");
    }
}
