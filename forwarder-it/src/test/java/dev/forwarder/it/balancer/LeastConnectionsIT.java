package dev.forwarder.it.balancer;

import dev.forwarder.balancer.MemberState;
import dev.forwarder.balancer.PoolMember;
import dev.forwarder.it.support.Backends;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.forwarder.it.support.Backends.ECHO_PORT;
import static dev.forwarder.it.support.Backends.hostAddress;
import static dev.forwarder.it.support.Backends.memberName;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * least-connections over two echo servers that name themselves on each connection. Backend A is made to hold ten
 * long-lived connections honestly: B is paused, its send-expect check marks it down, and the ten connections can
 * only go to A. Once B is up again, the next ten connections must all go to B, the less loaded one.
 */
@Testcontainers
class LeastConnectionsIT {

    private static final String POOL = "echo";

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
                assertThat(EchoLines.echo(socket, "still here")).isEqualTo("still here");
            }
        }
    }

    /** Opens a connection through forwarder, keeps it open, and returns the backend's name (its first line). */
    private String openAndName(InetSocketAddress listener) throws IOException {
        Socket socket = EchoLines.open(listener);
        held.add(socket);
        return EchoLines.readLine(socket);
    }
}
