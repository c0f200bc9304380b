package dev.forwarder.balancer;

import dev.forwarder.balancer.health.HealthCheckType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** What a pool tells its listeners: availability (for pause-accept) and sessions to close (for on-down). */
class PoolListenerTest {

    private final CheckLoops loops = new CheckLoops();
    private final List<String> events = new CopyOnWriteArrayList<>();
    private final PoolListener recorder = new PoolListener() {
        @Override
        public void availabilityChanged(Pool pool, boolean available) {
            events.add("available=" + available);
        }

        @Override
        public void memberChanged(Pool pool, PoolMember member, MemberState from, MemberState to) {
            events.add(from + "->" + to);
        }

        @Override
        public void closeSessions(Pool pool, PoolMember member) {
            events.add("close " + member.name());
        }
    };

    @AfterEach
    void stopLoops() {
        loops.close();
    }

    @Test
    void closeSessionsIsAskedForWhenChecksMarkAMemberDown() throws Exception {
        ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        PoolSettings settings = CheckLoops.settings(CheckLoops.check(HealthCheckType.TCP, 50, 100, 1, 1))
                .withOnDown(OnDown.CLOSE_SESSIONS);
        try (Pool pool = loops.pool("close", settings, List.of(CheckLoops.local(socket.getLocalPort()))).build()) {
            pool.addListener(recorder);
            pool.start();
            await().atMost(Duration.ofSeconds(3)).until(() -> events.contains("available=true"));
            socket.close();
            String name = pool.members().get(0).name();
            await().atMost(Duration.ofSeconds(3)).until(() -> events.contains("close " + name));
            assertThat(events).containsExactly("available=false", "DOWN->UP", "available=true", "UP->DOWN",
                    "close " + name, "available=false");
        } finally {
            socket.close();
        }
    }

    @Test
    void keepSessionsDoesNotAskToCloseThem() {
        try (Pool pool = Pool.builder("keep", BalancingStrategy.roundRobin(), TestMembers.specs(1))
                .settings(PoolSettings.STATIC.withPassive(1, Duration.ofSeconds(5))).build()) {
            pool.addListener(recorder);
            PoolMember member = pool.members().get(0);
            member.acquired();
            pool.connectFailed(member, new ConnectException("refused"));
            await().atMost(Duration.ofSeconds(3)).until(() -> events.contains("available=false"));
            assertThat(events).containsExactly("available=true", "UP->FAILED", "available=false");
        }
    }
}
