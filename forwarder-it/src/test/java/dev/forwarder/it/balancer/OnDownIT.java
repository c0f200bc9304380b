package dev.forwarder.it.balancer;

import dev.forwarder.balancer.MemberState;
import dev.forwarder.balancer.PoolMember;
import dev.forwarder.it.support.Backends;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Map;

import static dev.forwarder.it.support.Backends.ECHO_PORT;
import static dev.forwarder.it.support.Backends.hostAddress;
import static dev.forwarder.it.support.Backends.memberName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * What happens to a backend's connections, and to new clients, when its checks mark it down: two pools over the same
 * echo container, one with {@code on-down = close-sessions} behind a {@code when-no-backend = pause-accept} listener,
 * one with the defaults ({@code keep-sessions}, {@code close}). The container is paused, so only the check sees it go.
 */
@Testcontainers
class OnDownIT {

    private static final String CLOSING = "closing";
    private static final String KEEPING = "keeping";
    private static final String CHECK = "health-check { type = send-expect, send = \"ping\\n\", expect = \"ping\","
            + " interval = 300ms, timeout = 300ms, fall = 2, rise = 1 }";

    private static final Logger log = LoggerFactory.getLogger(OnDownIT.class);

    @Container
    static final GenericContainer<?> ECHO = Backends.hostnameEcho("ondown-echo");

    @AfterEach
    void unpause() {
        Faults.unpauseIfPaused(ECHO);
    }

    @Test
    void closeSessionsClosesHeldConnectionAndPauseAcceptRefusesWhileKeepSessionsKeepsIt() throws Exception {
        String backends = PoolForwarder.backends(hostAddress(ECHO, ECHO_PORT)) + "\n";
        Map<String, String> pools = Map.of(
                CLOSING, backends + "on-down = close-sessions\n" + CHECK,
                KEEPING, backends + CHECK);
        try (PoolForwarder forwarder = PoolForwarder.start(pools, Map.of(CLOSING, "when-no-backend = pause-accept"));
                Socket closing = heldConnection(forwarder, CLOSING);
                Socket keeping = heldConnection(forwarder, KEEPING)) {
            PoolMember closingMember = forwarder.member(CLOSING, memberName(ECHO, ECHO_PORT));
            PoolMember keepingMember = forwarder.member(KEEPING, memberName(ECHO, ECHO_PORT));

            Faults.pause(ECHO);
            PoolForwarder.awaitState(closingMember, MemberState.DOWN, Duration.ofSeconds(10));
            PoolForwarder.awaitState(keepingMember, MemberState.DOWN, Duration.ofSeconds(10));

            // close-sessions: forwarder ends the client's connection itself (the paused echo can send nothing).
            assertThat(endOfStreamOrReset(closing)).as("held connection of the close-sessions pool ended").isTrue();
            // pause-accept: the listening socket is closed, so a new client is refused rather than accepted and cut.
            await("closing listener refusing").atMost(Duration.ofSeconds(5))
                    .until(() -> refuses(forwarder.address(CLOSING)));
            // when-no-backend = close: accepted and closed at once, without a byte.
            try (Socket socket = EchoLines.open(forwarder.address(KEEPING))) {
                assertThat(socket.getInputStream().read()).isEqualTo(-1);
            }

            Faults.unpause(ECHO);
            PoolForwarder.awaitState(closingMember, MemberState.UP, Duration.ofSeconds(10));
            PoolForwarder.awaitState(keepingMember, MemberState.UP, Duration.ofSeconds(10));
            assertThat(EchoLines.echo(keeping, "kept")).as("keep-sessions: the held connection lived through it")
                    .isEqualTo("kept");
            await("closing listener accepting again").atMost(Duration.ofSeconds(5)).ignoreExceptions()
                    .until(() -> {
                        try (Socket socket = EchoLines.open(forwarder.address(CLOSING))) {
                            return EchoLines.readLine(socket).equals("ondown-echo");
                        }
                    });
        }
    }

    private static Socket heldConnection(PoolForwarder forwarder, String listener) throws Exception {
        PoolForwarder.awaitState(forwarder.member(listener, memberName(ECHO, ECHO_PORT)), MemberState.UP,
                Duration.ofSeconds(10));
        // A pause-accept listener starts paused (members start down) and resumes just after the member is up.
        long up = System.nanoTime();
        await(listener + " accepting").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5))
                .until(() -> !refuses(forwarder.address(listener)));
        log.info("listener accepting after member up listener={} lag_ms={}", listener,
                (System.nanoTime() - up) / 1_000_000);
        Socket socket = EchoLines.open(forwarder.address(listener));
        assertThat(EchoLines.readLine(socket)).isEqualTo("ondown-echo");
        assertThat(EchoLines.echo(socket, "hello")).isEqualTo("hello");
        return socket;
    }

    /** Whether the peer ended the connection (FIN or RST) before the read timeout. */
    private static boolean endOfStreamOrReset(Socket socket) throws IOException {
        try {
            return socket.getInputStream().read() == -1;
        } catch (SocketTimeoutException stillOpen) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }

    private static boolean refuses(InetSocketAddress address) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(address, 1_000);
            return false;
        } catch (ConnectException refused) {
            return true;
        }
    }
}
