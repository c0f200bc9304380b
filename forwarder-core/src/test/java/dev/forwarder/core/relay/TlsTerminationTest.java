package dev.forwarder.core.relay;

import dev.forwarder.core.CloseReason;
import dev.forwarder.core.Transport;
import dev.forwarder.core.access.AccessSettings;
import dev.forwarder.core.testing.BlockingServer;
import dev.forwarder.core.testing.FixedChooser;
import dev.forwarder.core.testing.LeakDetectionExtension;
import dev.forwarder.core.testing.RecordingObserver;
import dev.forwarder.core.tls.TlsTermination;
import io.netty.channel.Channel;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLSocket;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** TLS termination in the relay: when the backend is chosen, the pipeline, splice, close_notify and FIN. */
class TlsTerminationTest {

    @TempDir
    Path dir;

    @Test
    void withFirstByteTimeoutTheBackendIsChosenOnceAndOnlyAfterTheHandshake() throws Exception {
        TlsFixture tls = new TlsFixture(dir);
        RecordingObserver observer = new RecordingObserver();
        try (BlockingServer backend = BlockingServer.echo();
             RelayFixture relay = new RelayFixture(Transport.AUTO, RelayFixture.settings()
                     .withAccess(AccessSettings.NONE.withFirstByteTimeout(Duration.ofSeconds(5))),
                     new FixedChooser(backend.address()), observer, dev.forwarder.core.ConnectPolicy.ofTries(1),
                     tls.termination())) {
            // The first bytes of a ClientHello: first-byte-timeout's ready event fires, the relay must wait on.
            try (Socket partial = relay.connect()) {
                byte[] hello = tls.clientHello();
                partial.getOutputStream().write(Arrays.copyOf(hello, hello.length / 2));
                await().atMost(Duration.ofSeconds(5)).until(() -> relay.listener.connections().size() == 1);
                await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                        .until(() -> backend.accepted() == 0 && observer.tries.isEmpty());
            }
            try (SSLSocket client = tls.connect(relay.listener.localAddress())) {
                client.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
                assertThat(client.getInputStream().readNBytes(4)).asString(StandardCharsets.US_ASCII)
                        .isEqualTo("ping");
                assertThat(observer.tries).hasSize(1);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> observer.closed.size() == 2);
            assertThat(observer.tries).hasSize(1);
            assertThat(backend.accepted()).isEqualTo(1);
        }
    }

    @Test
    void aTlsListenerHasTheTlsHandlersInFrontOfTheRelayAndNeverSplices() throws Exception {
        TlsFixture tls = new TlsFixture(dir);
        LeakDetectionExtension.collectLeaks();
        RecordingObserver observer = new RecordingObserver();
        byte[] bulk = new byte[4 << 20];
        new java.util.Random(7).nextBytes(bulk);
        try (BlockingServer backend = BlockingServer.echo();
             RelayFixture relay = new RelayFixture(Transport.AUTO, RelayFixture.settings(),
                     new FixedChooser(backend.address()), observer, dev.forwarder.core.ConnectPolicy.ofTries(1),
                     tls.termination());
             SSLSocket client = tls.connect(relay.listener.localAddress())) {
            Thread writer = new Thread(() -> {
                try {
                    client.getOutputStream().write(bulk);
                    client.getOutputStream().flush();
                } catch (java.io.IOException ignored) {
                    // the read side fails the test
                }
            });
            writer.start();
            assertThat(client.getInputStream().readNBytes(bulk.length)).isEqualTo(bulk);
            writer.join(10_000);
            Channel channel = relay.listener.clientChannels().get(0);
            assertThat(channel.pipeline().toMap().keySet()).containsExactly(
                    io.netty.handler.ssl.SslHandler.class.getName(), TlsTermination.SESSION, Pipelines.RELAY);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> observer.closed.size() == 1);
        assertThat(observer.closed.get(0).bytesSpliced()).isZero();
        assertThat(observer.closed.get(0).bytesUp()).isEqualTo(bulk.length);
        assertThat(LeakDetectionExtension.collectLeaks()).isEmpty();
    }

    @Test
    void withTheJdkEngineAClientsCloseNotifyIsItsFinAndTheAnswerStillComesBack() throws Exception {
        TlsFixture tls = new TlsFixture(dir, io.netty.handler.ssl.SslProvider.JDK);
        RecordingObserver observer = new RecordingObserver();
        // The backend reads to the client's FIN, then answers and closes: the client's close_notify must reach it
        // as a FIN while the client can still read the answer (a half-close through TLS).
        try (BlockingServer backend = BlockingServer.start(socket -> {
            byte[] request = socket.getInputStream().readAllBytes();
            socket.getOutputStream().write(("got " + request.length).getBytes(StandardCharsets.US_ASCII));
        });
             RelayFixture relay = new RelayFixture(Transport.AUTO, RelayFixture.settings(),
                     new FixedChooser(backend.address()), observer, dev.forwarder.core.ConnectPolicy.ofTries(1),
                     tls.termination());
             SSLSocket client = tls.connect(relay.listener.localAddress())) {
            client.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput();
            assertThat(client.getInputStream().readAllBytes()).asString(StandardCharsets.US_ASCII)
                    .isEqualTo("got 5");
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> observer.closed.size() == 1);
        assertThat(observer.closed.get(0).reason()).isEqualTo(CloseReason.CLIENT_CLOSED);
    }

    @Test
    void aClientThatClosesDuringTheHandshakeEndsTlsHandshakeFailed() throws Exception {
        TlsFixture tls = new TlsFixture(dir);
        RecordingObserver observer = new RecordingObserver();
        try (BlockingServer backend = BlockingServer.echo();
             RelayFixture relay = new RelayFixture(Transport.AUTO, RelayFixture.settings(),
                     new FixedChooser(backend.address()), observer, dev.forwarder.core.ConnectPolicy.ofTries(1),
                     tls.termination())) {
            try (Socket client = relay.connect()) {
                client.getOutputStream().write(tls.clientHello());
                client.shutdownOutput();
                client.getInputStream().transferTo(OutputStream.nullOutputStream());
            } catch (java.io.IOException reset) {
                // either way it ended
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> observer.closed.size() == 1);
            assertThat(observer.closed.get(0).reason()).isEqualTo(CloseReason.TLS_HANDSHAKE_FAILED);
            assertThat(backend.accepted()).isZero();
        }
    }

    /**
     * Netty's OpenSSL engine answers a close_notify with its own at once and writes nothing after it: through an
     * openssl listener a client's close_notify ends both directions. The backend still gets the FIN and the
     * connection ends as the client's close, not as an error.
     */
    @Test
    void withTheOpensslEngineAClientsCloseNotifyEndsBothDirections() throws Exception {
        TlsFixture tls = new TlsFixture(dir, io.netty.handler.ssl.SslProvider.OPENSSL);
        RecordingObserver observer = new RecordingObserver();
        java.util.concurrent.CompletableFuture<Integer> received = new java.util.concurrent.CompletableFuture<>();
        try (BlockingServer backend = BlockingServer.start(socket -> {
            received.complete(socket.getInputStream().readAllBytes().length);
            socket.getOutputStream().write("late".getBytes(StandardCharsets.US_ASCII));
        });
             RelayFixture relay = new RelayFixture(Transport.AUTO, RelayFixture.settings(),
                     new FixedChooser(backend.address()), observer, dev.forwarder.core.ConnectPolicy.ofTries(1),
                     tls.termination());
             SSLSocket client = tls.connect(relay.listener.localAddress())) {
            client.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput();
            assertThat(received.get(5, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo(5);
            assertThat(client.getInputStream().readAllBytes()).isEmpty();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> observer.closed.size() == 1);
        // The backend's late answer finds the client gone (its socket closed): a reset then, never an error.
        assertThat(observer.closed.get(0).reason()).isIn(CloseReason.CLIENT_CLOSED, CloseReason.CLIENT_RESET);
    }

    /** An abort stays an abort through TLS: no close_notify (a clean end to a TLS peer) ahead of the reset. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(value = io.netty.handler.ssl.SslProvider.class,
            names = {"OPENSSL", "JDK"})
    void aBackendResetReachesTheTlsClientAsAResetWithoutCloseNotify(io.netty.handler.ssl.SslProvider provider)
            throws Exception {
        TlsFixture tls = new TlsFixture(dir, provider);
        RecordingObserver observer = new RecordingObserver();
        try (BlockingServer backend = BlockingServer.start(socket -> {
            socket.getInputStream().readNBytes(4);
            socket.getOutputStream().write("part".getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            socket.setSoLinger(true, 0);
        });
             RelayFixture relay = new RelayFixture(Transport.AUTO, RelayFixture.settings(),
                     new FixedChooser(backend.address()), observer, dev.forwarder.core.ConnectPolicy.ofTries(1),
                     tls.termination());
             SSLSocket client = tls.connect(relay.listener.localAddress())) {
            client.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
            assertThat(client.getInputStream().readNBytes(4)).asString(StandardCharsets.US_ASCII).isEqualTo("part");
            // A close_notify would read as a clean end (-1); the reset must fail the read instead.
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> client.getInputStream().read())
                    .isInstanceOf(java.io.IOException.class);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> observer.closed.size() == 1);
        assertThat(observer.closed.get(0).reason()).isEqualTo(CloseReason.BACKEND_RESET);
    }
}
