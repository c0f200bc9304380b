package dev.forwarder.it.balancer;

import dev.forwarder.balancer.MemberState;
import dev.forwarder.balancer.PoolMember;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.forwarder.it.balancer.Backends.ECHO_PORT;
import static dev.forwarder.it.balancer.Backends.hostAddress;
import static dev.forwarder.it.balancer.Backends.memberName;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * least-connections over two echo servers that name themselves on each connection. Backend A is made to hold ten
 * long-lived connections honestly: B is paused, its send-expect check marks it down, and the ten connections can
 * only go to A. Once B is up again, the next ten connections must all go to B, the less loaded one.
 */
@Testcontainers
class LeastConnectionsIT {

    private static final String POOL = "echo";
    private static final Duration SOCKET_TIMEOUT = Duration.ofSeconds(5);

    @Container
    static final GenericContainer<?> ECHO_A = Backends.hostnameEcho("lc-echo-a");
    @Container
    static final GenericContainer<?> ECHO_B = Backends.hostnameEcho("lc-echo-b");

    private final List<Socket> held = new ArrayList<>();

    @AfterEach
    void closeConnections() throws IOException {
        for (Socket socket : held) {
            socket.close();
        }
        Faults.unpauseIfPaused(ECHO_B);
    }

    @Test
    void nextTenConnectionsGoToTheBackendNotHoldingTen() throws Exception {
        String pool = "strategy = least-connections\n"
                + PoolForwarder.backends(hostAddress(ECHO_A, ECHO_PORT), hostAddress(ECHO_B, ECHO_PORT)) + "\n"
                + "health-check { type = send-expect, send = \"ping\\n\", expect = \"ping\", interval = 300ms,"
                + " timeout = 300ms, fall = 2, rise = 1 }";
        try (PoolForwarder forwarder = PoolForwarder.start(POOL, pool)) {
            InetSocketAddress listener = forwarder.address(POOL);
            PoolMember a = forwarder.member(POOL, memberName(ECHO_A, ECHO_PORT));
            PoolMember b = forwarder.member(POOL, memberName(ECHO_B, ECHO_PORT));
            PoolForwarder.awaitState(a, MemberState.UP, Duration.ofSeconds(10));
            PoolForwarder.awaitState(b, MemberState.UP, Duration.ofSeconds(10));

            Faults.pause(ECHO_B);
            PoolForwarder.awaitState(b, MemberState.DOWN, Duration.ofSeconds(10));
            for (int i = 0; i < 10; i++) {
                assertThat(openAndName(listener)).as("connection %d while B is down", i).isEqualTo("lc-echo-a");
            }
            Faults.unpause(ECHO_B);
            PoolForwarder.awaitState(b, MemberState.UP, Duration.ofSeconds(10));
            assertThat(a.activeConnections()).isEqualTo(10);
            assertThat(b.activeConnections()).isZero();

            List<String> next = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                next.add(openAndName(listener));
            }
            assertThat(next).as("the 10 connections opened while A holds 10").containsOnly("lc-echo-b");
            assertThat(a.activeConnections()).isEqualTo(10);
            assertThat(b.activeConnections()).isEqualTo(10);
            // Every held connection still relays both ways.
            for (Socket socket : held) {
                assertThat(echo(socket, "still here")).isEqualTo("still here");
            }
        }
    }

    /** Opens a connection through forwarder, keeps it open, and returns the backend's name (its first line). */
    private String openAndName(InetSocketAddress listener) throws IOException {
        Socket socket = new Socket();
        held.add(socket);
        socket.connect(listener, (int) SOCKET_TIMEOUT.toMillis());
        socket.setSoTimeout((int) SOCKET_TIMEOUT.toMillis());
        return readLine(socket);
    }

    private static String echo(Socket socket, String text) throws IOException {
        OutputStream out = socket.getOutputStream();
        out.write((text + "\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return readLine(socket);
    }

    /** One line, read byte by byte so nothing after it is buffered away from the next read. */
    private static String readLine(Socket socket) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c; (c = socket.getInputStream().read()) != '\n'; ) {
            if (c < 0) {
                throw new IOException("closed after \"" + line + "\"");
            }
            line.append((char) c);
        }
        return line.toString();
    }
}
