package dev.forwarder.it.balancer;

import dev.forwarder.balancer.MemberState;
import dev.forwarder.balancer.PoolMember;
import dev.forwarder.core.ConnectionState;
import dev.forwarder.it.support.Backends;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 8, defect 1: clients that reset while forwarder's connect to their backend is still under way must not count
 * against that backend. forwarder gave those picks up itself; only a refusal, a timeout or an unreachable backend is a
 * connect failure. When each reset counted as one, three impatient clients in {@code fail-timeout} took a healthy
 * backend out with the default passive health ({@code max-fails = 3}, {@code fail-timeout = 10s}), and every client
 * after them got {@code no-backend}.
 *
 * <p>The connect is slow for real: socat with a listen backlog of 1 on the host's network, paused, its accept queue
 * filled ({@link AcceptQueueFill}), drops forwarder's SYNs until it is unpaused.
 */
@Testcontainers
class ImpatientClientsIT {

    private static final Logger log = LoggerFactory.getLogger(ImpatientClientsIT.class);

    private static final String POOL = "web";
    private static final int CLIENTS = 20;
    /** Longer than the clients take to come and go, so no connect of theirs times out for real. */
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
    /** How long forwarder's connects must stay under way to count as hanging rather than about to finish. */
    private static final Duration IN_FLIGHT = Duration.ofMillis(500);
    private static final Duration AT_MOST = Duration.ofSeconds(10);

    @Container
    static final GenericContainer<?> ECHO = Backends.hostNetworkEcho();

    @AfterEach
    void unpause() {
        Faults.unpauseIfPaused(ECHO);
    }

    @Test
    void clientsResettingDuringASlowConnectLeaveTheBackendUp() throws Exception {
        InetSocketAddress backend = Backends.listenAddress(ECHO);
        // max-fails and fail-timeout stay at their defaults, the ones three resets used to exhaust; no active checks.
        String pool = PoolForwarder.backends(backend) + "\nconnect-timeout = " + CONNECT_TIMEOUT.toSeconds() + "s";
        try (PoolForwarder forwarder = PoolForwarder.start(POOL, pool)) {
            InetSocketAddress listener = forwarder.address(POOL);
            PoolMember member = forwarder.member(POOL, backend.getHostString() + ":" + backend.getPort());
            assertEchoes(listener, "before the pause");
            // socat ends it half a second after the client's FIN (its -t): paused before that, it would keep its pick.
            await("the first connection ended").atMost(AT_MOST).untilAsserted(() -> {
                assertThat(forwarder.connections(POOL)).as("forwarder's connections").isEmpty();
                assertThat(member.activeConnections()).as("picks of the backend").isZero();
            });

            Faults.pause(ECHO);
            long resetting;
            try (AcceptQueueFill fill = AcceptQueueFill.fill(backend)) {
                log.info("backend connects hang accept_queue_held={} hang_ms={}", fill.size(),
                        AcceptQueueFill.HANGING.toMillis());
                long connecting = System.nanoTime();
                List<Socket> clients = new ArrayList<>(CLIENTS);
                try {
                    for (int i = 0; i < CLIENTS; i++) {
                        clients.add(EchoLines.open(listener));
                    }
                    await("forwarder's " + CLIENTS + " backend connects under way for " + IN_FLIGHT.toMillis() + " ms")
                            .during(IN_FLIGHT).atMost(IN_FLIGHT.plus(AT_MOST))
                            .untilAsserted(() -> {
                                assertThat(member.activeConnections()).as("picks of the backend").isEqualTo(CLIENTS);
                                assertThat(forwarder.connections(POOL)).as("forwarder's connections")
                                        .hasSize(CLIENTS).allMatch(c -> c.state() == ConnectionState.CONNECTING);
                            });
                } finally {
                    resetting = System.nanoTime();
                    clients.forEach(ImpatientClientsIT::reset);
                }
                Duration beforeReset = Duration.ofNanos(resetting - connecting);
                assertThat(beforeReset).as("time from the first client to the resets (no connect may time out)")
                        .isLessThan(CONNECT_TIMEOUT);
                // A connection leaves the registry after its pick's outcome went to the pool.
                await("the reset clients' connections gone").atMost(AT_MOST).untilAsserted(
                        () -> assertThat(forwarder.connections(POOL)).as("forwarder's connections").isEmpty());
                assertThat(member.activeConnections()).as("picks of the backend after the resets").isZero();
                log.info("impatient clients reset clients={} in_flight_before_reset_ms={} closed_after_ms={}",
                        CLIENTS, beforeReset.toMillis(), (System.nanoTime() - resetting) / 1_000_000);
                Faults.unpause(ECHO);
            }
            await("backend accepting quickly again").atMost(AT_MOST)
                    .until(() -> AcceptQueueFill.connectsQuickly(backend));

            assertThat(member.state()).as("backend after %d clients reset during its connect", CLIENTS)
                    .isEqualTo(MemberState.UP);
            assertEchoes(listener, "after the resets");
        }
    }

    /** SO_LINGER 0 and close: the client's kernel sends an RST. */
    private static void reset(Socket client) {
        try {
            client.setSoLinger(true, 0);
            client.close();
        } catch (IOException e) {
            throw new AssertionError("resetting " + client, e);
        }
    }

    private static void assertEchoes(InetSocketAddress listener, String when) throws IOException {
        try (Socket client = EchoLines.open(listener)) {
            assertThat(EchoLines.echo(client, "hello " + when)).as("echo through forwarder " + when)
                    .isEqualTo("hello " + when);
        }
    }
}
