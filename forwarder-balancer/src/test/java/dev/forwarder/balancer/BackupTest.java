package dev.forwarder.balancer;

import dev.forwarder.core.Backend;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Backups take connections only while no primary is up, and lose them again when one returns. */
class BackupTest {

    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40000);

    @Test
    void backupServesOnlyWhilePrimariesAreOut() {
        try (Pool pool = Pool.builder("b", BalancingStrategy.leastConnections(), List.of(
                        new BackendSpec("127.0.0.1", 9001, 1, false),
                        new BackendSpec("127.0.0.1", 9002, 1, false),
                        new BackendSpec("127.0.0.1", 9003, 1, true)))
                .settings(PoolSettings.STATIC.withPassive(1, Duration.ofMillis(500))).build()) {
            PoolMember first = pool.members().get(0);
            PoolMember second = pool.members().get(1);
            PoolMember backup = pool.members().get(2);
            assertThat(picks(pool, 50)).doesNotContain(backup);

            fail(pool, first);
            await().atMost(Duration.ofSeconds(1)).until(() -> first.state() == MemberState.FAILED);
            assertThat(picks(pool, 50)).containsOnly(second);

            fail(pool, second);
            await().atMost(Duration.ofSeconds(1)).until(() -> second.state() == MemberState.FAILED);
            assertThat(picks(pool, 50)).containsOnly(backup);

            await().atMost(Duration.ofSeconds(3)).until(() -> first.state() == MemberState.UP);
            assertThat(picks(pool, 50)).doesNotContain(backup);
        }
    }

    private static void fail(Pool pool, PoolMember member) {
        member.acquired();
        pool.connectFailed(member, new ConnectException("refused"));
    }

    private static List<Backend> picks(Pool pool, int count) {
        List<Backend> picks = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            Backend backend = pool.choose(CLIENT, List.of());
            picks.add(backend);
            pool.released(backend);
        }
        return picks;
    }
}
