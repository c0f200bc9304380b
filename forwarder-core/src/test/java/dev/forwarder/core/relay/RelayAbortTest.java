package dev.forwarder.core.relay;

import dev.forwarder.core.CloseReason;
import dev.forwarder.core.Transport;
import dev.forwarder.core.testing.BlockingServer;
import dev.forwarder.core.testing.FixedChooser;
import dev.forwarder.core.testing.RecordingObserver;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * An aborted stream stays an abort: where a client connected straight to the backend would see a reset, a client
 * of forwarder sees one too (as Envoy's tcp_proxy does), so a cut answer never looks complete.
 */
class RelayAbortTest {

    private static final int ANSWER = 200_000;

    /** Reads the request to its end, writes part of an answer, then resets. */
    private static BlockingServer resettingAfterTheRequest() {
        return BlockingServer.start(socket -> {
            socket.getInputStream().readAllBytes();
            socket.getOutputStream().write(new byte[ANSWER]);
            socket.setSoLinger(true, 0);
            socket.close();
        });
    }

    private static void requestAndFin(Socket client) throws IOException {
        client.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes());
        client.shutdownOutput();
    }

    /** Reads until the end of the stream; throws what the read throws (a reset). */
    private static long readToTheEnd(InputStream in) throws IOException {
        long total = 0;
        byte[] buffer = new byte[64 * 1024];
        for (int n; (n = in.read(buffer)) >= 0; ) {
            total += n;
        }
        return total;
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING", "NIO"})
    void backendResetAfterTheClientsFinReachesTheClientAsAReset(Transport transport) throws Exception {
        try (BlockingServer backend = resettingAfterTheRequest()) {
            seesABackendResetStraightAndThroughForwarder(transport, backend, RelayAbortTest::requestAndFin);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING", "NIO"})
    void backendResetMidAnswerWhileTheClientStillSendsReachesTheClientAsAReset(Transport transport) throws Exception {
        // The backend answers part of what it promised without waiting for the request's end, then resets.
        try (BlockingServer backend = BlockingServer.start(socket -> {
            socket.getInputStream().read();
            socket.getOutputStream().write(new byte[ANSWER]);
            socket.setSoLinger(true, 0);
            socket.close();
        })) {
            seesABackendResetStraightAndThroughForwarder(transport, backend,
                    client -> client.getOutputStream().write('x'));
        }
    }

    private interface Request {
        void send(Socket client) throws IOException;
    }

    /** A client straight to the backend sees a reset; so does one through forwarder, which logs backend-reset. */
    private static void seesABackendResetStraightAndThroughForwarder(Transport transport, BlockingServer backend,
            Request request) throws Exception {
        try (Socket direct = new Socket()) {
            direct.connect(backend.address(), 5_000);
            request.send(direct);
            assertThatThrownBy(() -> readToTheEnd(direct.getInputStream())).isInstanceOf(SocketException.class);
        }
        RecordingObserver observer = new RecordingObserver();
        try (RelayFixture relay = new RelayFixture(transport, RelayFixture.settings(),
                new FixedChooser(backend.address()), observer, 1);
             Socket client = relay.connect()) {
            request.send(client);
            assertThatThrownBy(() -> readToTheEnd(client.getInputStream())).isInstanceOf(SocketException.class)
                    .hasMessageContaining("reset");
            await().atMost(Duration.ofSeconds(5)).until(() -> observer.closed.size() == 1);
            assertThat(observer.closed.get(0).reason()).isEqualTo(CloseReason.BACKEND_RESET);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING", "NIO"})
    void clientResetReachesTheBackendAsAReset(Transport transport) throws Exception {
        CompletableFuture<Throwable> backendSaw = new CompletableFuture<>();
        try (BlockingServer backend = BlockingServer.start(socket -> {
            try {
                readToTheEnd(socket.getInputStream());
                backendSaw.complete(null);
            } catch (IOException e) {
                backendSaw.complete(e);
            }
        })) {
            RecordingObserver observer = new RecordingObserver();
            try (RelayFixture relay = new RelayFixture(transport, RelayFixture.settings(),
                    new FixedChooser(backend.address()), observer, 1)) {
                Socket client = relay.connect();
                client.getOutputStream().write(new byte[1000]);
                await().atMost(Duration.ofSeconds(5)).until(() -> observer.relayedUp.get() == 1000);
                client.setSoLinger(true, 0);
                client.close();
                assertThat(backendSaw.get(5, TimeUnit.SECONDS)).isInstanceOf(SocketException.class);
                await().atMost(Duration.ofSeconds(5)).until(() -> observer.closed.size() == 1);
                assertThat(observer.closed.get(0).reason()).isEqualTo(CloseReason.CLIENT_RESET);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING", "NIO"})
    void connectionsCutAtTheEndOfTheDrainAreResetAndLoggedShutdown(Transport transport) throws Exception {
        try (BlockingServer backend = BlockingServer.echo()) {
            RecordingObserver observer = new RecordingObserver();
            RelayFixture relay = new RelayFixture(transport, RelayFixture.settings(),
                    new FixedChooser(backend.address()), observer, 1);
            try (Socket client = relay.connect()) {
                client.getOutputStream().write('x');
                assertThat(client.getInputStream().read()).isEqualTo('x');
                assertThat(relay.server.shutdown(Duration.ofMillis(100))).isEqualTo(1);
                assertThatThrownBy(() -> readToTheEnd(client.getInputStream())).isInstanceOf(SocketException.class);
                assertThat(observer.closed).hasSize(1);
                assertThat(observer.closed.get(0).reason()).isEqualTo(CloseReason.SHUTDOWN);
            } finally {
                relay.close();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING", "NIO"})
    void idleTimeoutWithBytesStillQueuedResetsTheClient(Transport transport) throws Exception {
        // The backend sends more than the socket buffers hold and the client reads nothing: when the idle timeout
        // ends the connection, bytes are lost, so the client must not see a clean end.
        try (BlockingServer backend = BlockingServer.start(socket -> socket.getOutputStream().write(new byte[16 << 20]))) {
            RecordingObserver observer = new RecordingObserver();
            try (RelayFixture relay = new RelayFixture(transport,
                    RelayFixture.settings().withIdleTimeout(Duration.ofMillis(500)),
                    new FixedChooser(backend.address()), observer, 1);
                 Socket client = relay.connect()) {
                await().atMost(Duration.ofSeconds(10)).until(() -> observer.closed.size() == 1);
                assertThat(observer.closed.get(0).reason()).isEqualTo(CloseReason.IDLE_TIMEOUT);
                assertThatThrownBy(() -> readToTheEnd(client.getInputStream())).isInstanceOf(SocketException.class);
            }
        }
    }

}
