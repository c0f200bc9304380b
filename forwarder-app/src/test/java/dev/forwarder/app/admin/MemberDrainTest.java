package dev.forwarder.app.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.forwarder.app.EchoBackend;
import dev.forwarder.balancer.PoolMember;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static dev.forwarder.app.admin.AdminHarness.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Drain through the admin API under a client loop: once the call returns, the drained member gets no new
 * connection, its live ones finish, the state survives a reload that keeps the member, and enable brings it back.
 */
class MemberDrainTest {

    @Test
    void aDrainedMemberGetsNoNewConnectionLetsLiveOnesFinishAndKeepsItsStateAcrossAReload() throws Exception {
        try (AdminHarness harness = new AdminHarness("", 2); ClientLoop loop = new ClientLoop(harness)) {
            EchoBackend drained = harness.backends.get(0);
            EchoBackend other = harness.backends.get(1);
            List<Socket> live = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                live.add(harness.openEchoed());
            }
            PoolMember member = harness.forwarder.pool("web").member(drained.member());
            assertThat(member.activeConnections()).isEqualTo(2);
            loop.start();
            loop.awaitMore(20);

            assertThat(harness.post("/api/pools/web/members/" + drained.member() + "/drain").statusCode())
                    .isEqualTo(200);
            // The one connection the loop may have had under way when the call returned was picked before it.
            loop.awaitMore(2);
            int acceptedAtDrain = drained.accepted();
            int otherAtDrain = other.accepted();
            loop.awaitMore(200);

            assertThat(drained.accepted()).isEqualTo(acceptedAtDrain);
            assertThat(other.accepted()).isGreaterThanOrEqualTo(otherAtDrain + 200);
            // Live connections on the drained member go on, and count.
            for (Socket socket : live) {
                AdminHarness.echo(socket, "still relayed");
            }
            assertThat(harness.member(drained.member()).get("active_connections").asInt()).isEqualTo(2);
            // The metrics say so too: no longer taking new connections, drained by an operator.
            String labels = "backend=\"" + drained.member() + "\",pool=\"web\"";
            assertThat(harness.get("/metrics").body()).contains(
                    "forwarder_backend_up{" + labels + "} 0.0",
                    "forwarder_backend_admin_state{" + labels + ",state=\"draining\"} 1.0",
                    "forwarder_backend_admin_state{" + labels + ",state=\"enabled\"} 0.0",
                    "forwarder_backend_state{" + labels + ",state=\"up\"} 1.0");

            // A reload that changes the pool and keeps the member keeps its state.
            harness.forwarder.apply(harness.config(harness.extra("strategy = least-connections")));
            JsonNode afterReload = harness.member(drained.member());
            assertThat(afterReload.get("admin_state").asText()).isEqualTo("draining");
            assertThat(afterReload.get("admin_by").asText()).isEqualTo("admin-api@127.0.0.1");
            assertThat(json(harness.get("/api/pools")).get("pools").get(0).get("strategy").asText())
                    .isEqualTo("least-connections");
            loop.awaitMore(100);
            assertThat(drained.accepted()).isEqualTo(acceptedAtDrain);

            for (Socket socket : live) {
                socket.close();
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> member.activeConnections() == 0);
            assertThat(harness.member(drained.member()).get("active_connections").asInt()).isZero();

            assertThat(harness.post("/api/pools/web/members/" + drained.member() + "/enable").statusCode())
                    .isEqualTo(200);
            loop.awaitMore(100);
            assertThat(drained.accepted()).isGreaterThan(acceptedAtDrain + 20);
            assertThat(loop.failure.get()).isNull();
            assertThat(harness.forwarder.adminServer().failures()).isZero();
        }
    }

    @Test
    void aMemberRemovedFromTheConfigAndAddedAgainStartsEnabled() throws Exception {
        try (AdminHarness harness = new AdminHarness("", 2)) {
            EchoBackend first = harness.backends.get(0);
            EchoBackend second = harness.backends.get(1);
            harness.post("/api/pools/web/members/" + second.member() + "/disable");
            harness.forwarder.apply(harness.config("backends = [ \"" + first.member() + "\" ]"));
            await().atMost(Duration.ofSeconds(5))
                    .until(() -> harness.forwarder.pool("web").member(second.member()) == null);
            harness.forwarder.apply(harness.config(harness.extra("")));
            assertThat(harness.member(second.member()).get("admin_state").asText()).isEqualTo("enabled");
        }
    }

    /** New connections one after another, each echoing a line: what a steady client does. */
    private static final class ClientLoop implements AutoCloseable {

        final AtomicInteger done = new AtomicInteger();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        private final AdminHarness harness;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final Thread thread;

        ClientLoop(AdminHarness harness) {
            this.harness = harness;
            this.thread = new Thread(this::run, "test-client-loop");
            thread.setDaemon(true);
        }

        void start() {
            thread.start();
        }

        private void run() {
            // Bounded: the test needs some hundreds; this many would take minutes.
            for (int i = 0; i < 100_000 && running.get(); i++) {
                try {
                    harness.echoOnce();
                    done.incrementAndGet();
                } catch (IOException e) {
                    failure.compareAndSet(null, e);
                    return;
                }
            }
        }

        /** Waits until {@code count} more connections have been through. */
        void awaitMore(int count) {
            int target = done.get() + count;
            await().atMost(Duration.ofSeconds(30)).until(() -> done.get() >= target || failure.get() != null);
            assertThat(failure.get()).isNull();
        }

        @Override
        public void close() throws InterruptedException {
            running.set(false);
            thread.join(10_000);
        }
    }
}
