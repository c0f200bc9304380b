package dev.forwarder.app;

import com.codahale.metrics.Gauge;
import dev.forwarder.app.config.ConfigLoader;
import dev.forwarder.app.metrics.MetricNames;
import dev.forwarder.balancer.MemberState;
import dev.forwarder.balancer.Pool;
import dev.forwarder.balancer.PoolMember;
import dev.forwarder.core.BoundListener;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Health, limits and when-no-backend through the assembled forwarder, with real sockets on 127.0.0.1. */
class ForwarderHealthTest {

    private static final String FAST_TCP_CHECK =
            "health-check { type = tcp, interval = 50ms, timeout = 200ms, rise = 1, fall = 1, jitter = 0% }";

    private static Forwarder start(String listenerExtra, String poolExtra, int... ports) throws Exception {
        StringBuilder backends = new StringBuilder();
        for (int port : ports) {
            backends.append(backends.isEmpty() ? "" : ", ").append("\"127.0.0.1:").append(port).append('"');
        }
        return Forwarder.start(ConfigLoader.parse("""
                forwarder {
                  io-threads = 2
                  shutdown-timeout = 0s
                  listeners { web { bind = "127.0.0.1:0", pool = web %s } }
                  pools { web { backends = [ %s ]
                    %s
                  } }
                }
                """.formatted(listenerExtra, backends, poolExtra), "test"));
    }

    private static BoundListener listener(Forwarder forwarder) {
        return forwarder.relay().listeners().get(0);
    }

    private static Socket connect(Forwarder forwarder) throws IOException {
        Socket socket = new Socket();
        socket.connect(forwarder.listenerAddress("web"), 2_000);
        socket.setSoTimeout(5_000);
        return socket;
    }

    private static String echo(Socket socket, String text) throws IOException {
        socket.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
        byte[] reply = socket.getInputStream().readNBytes(text.length());
        return new String(reply, StandardCharsets.UTF_8);
    }

    @Test
    void pauseAcceptRefusesClientsWhileNoBackendIsUpAndAcceptsWhenOneIsBack() throws Exception {
        try (EchoBackend backend = EchoBackend.notListening();
                Forwarder forwarder = start(", when-no-backend = pause-accept", FAST_TCP_CHECK, backend.port())) {
            InetSocketAddress address = forwarder.listenerAddress("web");
            await().atMost(Duration.ofSeconds(3)).until(() -> !listener(forwarder).isAccepting());
            assertThatThrownBy(() -> new Socket().connect(address, 1_000)).isInstanceOf(ConnectException.class);

            backend.listen();
            await().atMost(Duration.ofSeconds(3)).until(() -> listener(forwarder).isAccepting());
            try (Socket client = connect(forwarder)) {
                assertThat(echo(client, "hello")).isEqualTo("hello");
            }

            backend.stopListening();
            await().atMost(Duration.ofSeconds(3)).until(() -> !listener(forwarder).isAccepting());
            assertThatThrownBy(() -> new Socket().connect(address, 1_000)).isInstanceOf(ConnectException.class);
            assertThat(forwarder.listenerAddress("web")).isEqualTo(address);
        }
    }

    @Test
    void pausedListenerWhosePortWasTakenResumesOnceThePortIsFree() throws Exception {
        try (EchoBackend backend = EchoBackend.notListening();
                Forwarder forwarder = start(", when-no-backend = pause-accept", FAST_TCP_CHECK, backend.port())) {
            InetSocketAddress address = forwarder.listenerAddress("web");
            await().atMost(Duration.ofSeconds(3)).until(() -> !listener(forwarder).isAccepting());
            try (java.net.ServerSocket squatter = new java.net.ServerSocket()) {
                squatter.bind(address);
                backend.listen();
                await().atMost(Duration.ofSeconds(3)).until(() -> forwarder.pool("web").available());
                // The resume fails while the port is taken, and keeps trying.
                assertThat(listener(forwarder).isAccepting()).isFalse();
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> listener(forwarder).isAccepting());
            try (Socket client = connect(forwarder)) {
                assertThat(echo(client, "back")).isEqualTo("back");
            }
        }
    }

    @Test
    void closeByDefaultKeepsAcceptingAndClosesEachClient() throws Exception {
        try (EchoBackend backend = EchoBackend.notListening();
                Forwarder forwarder = start("", FAST_TCP_CHECK, backend.port())) {
            await().atMost(Duration.ofSeconds(3)).until(() -> !forwarder.pool("web").available());
            try (Socket client = connect(forwarder)) {
                assertThat(client.getInputStream().read()).isEqualTo(-1);
            }
            assertThat(listener(forwarder).isAccepting()).isTrue();
        }
    }

    @Test
    void closeSessionsClosesTheConnectionsOfABackendMarkedDown() throws Exception {
        try (EchoBackend backend = EchoBackend.start();
                Forwarder forwarder = start("", "on-down = close-sessions\n" + FAST_TCP_CHECK, backend.port())) {
            await().atMost(Duration.ofSeconds(3)).until(() -> forwarder.pool("web").available());
            try (Socket client = connect(forwarder)) {
                assertThat(echo(client, "before")).isEqualTo("before");
                backend.stopListening();
                PoolMember member = forwarder.pool("web").members().get(0);
                await().atMost(Duration.ofSeconds(3)).until(() -> member.state() == MemberState.DOWN);
                assertThat(readUntilClosed(client.getInputStream())).isTrue();
            }
        }
    }

    @Test
    void keepSessionsLetsTheConnectionsOfABackendMarkedDownCarryOn() throws Exception {
        try (EchoBackend backend = EchoBackend.start();
                Forwarder forwarder = start("", FAST_TCP_CHECK, backend.port())) {
            await().atMost(Duration.ofSeconds(3)).until(() -> forwarder.pool("web").available());
            try (Socket client = connect(forwarder)) {
                assertThat(echo(client, "before")).isEqualTo("before");
                backend.stopListening();
                PoolMember member = forwarder.pool("web").members().get(0);
                await().atMost(Duration.ofSeconds(3)).until(() -> member.state() == MemberState.DOWN);
                assertThat(echo(client, "after")).isEqualTo("after");
                Gauge<?> up = forwarder.metrics().getGauges().get(
                        MetricNames.backend("web", member.name(), MetricNames.UP));
                assertThat(up.getValue()).isEqualTo(0);
            }
        }
    }

    @Test
    void aClientWaitsForRoomWhileTheBackendIsAtItsLimit() throws Exception {
        try (EchoBackend backend = EchoBackend.start();
                Forwarder forwarder = start("", "max-connections = 1, queue-timeout = 5s", backend.port())) {
            Pool pool = forwarder.pool("web");
            // One at a time: each event loop accepts on its own socket, so two connects made together may be
            // served in either order.
            try (Socket first = connect(forwarder)) {
                assertThat(echo(first, "one")).isEqualTo("one");
                Socket second = connect(forwarder);
                second.getOutputStream().write("two".getBytes(StandardCharsets.UTF_8));
                await().atMost(Duration.ofSeconds(3)).until(() -> pool.waiting() == 1);
                assertThat(backend.sessions()).isEqualTo(1);
                first.close();
                assertThat(new String(second.getInputStream().readNBytes(3), StandardCharsets.UTF_8))
                        .isEqualTo("two");
                second.close();
            }
            await().atMost(Duration.ofSeconds(3)).until(() -> pool.members().get(0).activeConnections() == 0);
        }
    }

    @Test
    void aQueuedClientIsClosedAfterTheQueueTimeout() throws Exception {
        try (EchoBackend backend = EchoBackend.start();
                Forwarder forwarder = start("", "max-connections = 1, queue-timeout = 200ms", backend.port())) {
            try (Socket first = connect(forwarder)) {
                assertThat(echo(first, "one")).isEqualTo("one");
                long start = System.nanoTime();
                try (Socket second = connect(forwarder)) {
                    assertThat(readUntilClosed(second.getInputStream())).isTrue();
                }
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(200));
                assertThat(echo(first, "still")).isEqualTo("still");
            }
        }
    }

    @Test
    void exposesPoolsByName() throws Exception {
        try (EchoBackend backend = EchoBackend.start(); Forwarder forwarder = start("", "", backend.port())) {
            Pool pool = forwarder.pool("web");
            assertThat(pool.members()).singleElement().satisfies(member -> {
                assertThat(member.state()).isEqualTo(MemberState.UP);
                assertThat(member.effectiveWeight()).isEqualTo(1.0);
                assertThat(member.activeConnections()).isZero();
            });
            assertThatThrownBy(() -> forwarder.pool("nope")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("poolName: nope (expected one of: web)");
        }
    }

    /** Reads until end of stream (true) or the socket's read timeout (false). */
    private static boolean readUntilClosed(InputStream in) throws IOException {
        try {
            while (in.read() >= 0) {
                // discard
            }
            return true;
        } catch (SocketTimeoutException e) {
            return false;
        } catch (IOException reset) {
            return true;
        }
    }
}
