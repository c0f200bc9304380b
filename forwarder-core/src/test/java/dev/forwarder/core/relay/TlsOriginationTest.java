package dev.forwarder.core.relay;

import dev.forwarder.core.Backend;
import dev.forwarder.core.BackendChooser;
import dev.forwarder.core.CloseReason;
import dev.forwarder.core.ConnectPolicy;
import dev.forwarder.core.ConnectionHandlers;
import dev.forwarder.core.Transport;
import dev.forwarder.core.testing.FixedChooser;
import dev.forwarder.core.testing.LeakDetectionExtension;
import dev.forwarder.core.testing.RecordingObserver;
import dev.forwarder.core.tls.TlsContexts;
import dev.forwarder.core.tls.TlsOrigination;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** TLS origination in the relay: the backend pipeline, no splice, and bytes both ways through a JDK TLS server. */
class TlsOriginationTest {

    @TempDir
    Path dir;

    /** A chooser whose backend-side handlers originate TLS. */
    private record Originating(FixedChooser delegate, ConnectionHandlers tls) implements BackendChooser {
        @Override
        public Backend choose(SocketAddress client, List<Backend> tried) {
            return delegate.choose(client, tried);
        }

        @Override
        public void connectFailed(Backend backend, Throwable cause) {
            delegate.connectFailed(backend, cause);
        }

        @Override
        public ConnectionHandlers backendHandlers() {
            return tls;
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void bulkBytesGoThroughTheBackendsTlsBothWaysAfterTheClientsFinAndNeverSplice(SslProvider provider)
            throws Exception {
        TlsFixture certs = new TlsFixture(dir, SslProvider.JDK);
        SslContext server = SslContextBuilder.forServer(certs.certs.chain().toFile(), certs.certs.key().toFile())
                .sslProvider(SslProvider.JDK).build();
        SslContext client = TlsContexts.client(Files.readAllBytes(certs.certs.ca()), true, List.of(),
                provider);
        LeakDetectionExtension.collectLeaks();
        RecordingObserver observer = new RecordingObserver();
        byte[] bulk = new byte[4 << 20];
        new Random(3).nextBytes(bulk);
        AtomicReference<String> sni = new AtomicReference<>();
        try (SSLServerSocket listening = (SSLServerSocket) ((JdkSslContext) server).context()
                .getServerSocketFactory().createServerSocket(0, 10, InetAddress.getLoopbackAddress())) {
            Thread echo = new Thread(() -> {
                try (SSLSocket session = (SSLSocket) listening.accept()) {
                    session.getInputStream().transferTo(session.getOutputStream());
                    sni.set(String.valueOf(((javax.net.ssl.ExtendedSSLSession) session.getSession())
                            .getRequestedServerNames()));
                    session.shutdownOutput();
                } catch (IOException ignored) {
                    // the test's reads say what went wrong
                }
            });
            echo.setDaemon(true);
            echo.start();
            InetSocketAddress backend = new InetSocketAddress("localhost", listening.getLocalPort());
            try (RelayFixture relay = new RelayFixture(Transport.AUTO, RelayFixture.settings(),
                    new Originating(new FixedChooser(backend), new TlsOrigination(client, "api.example.com")),
                    observer, ConnectPolicy.ofTries(1));
                 Socket plain = relay.connect()) {
                Thread writer = new Thread(() -> {
                    try {
                        plain.getOutputStream().write(bulk);
                        plain.shutdownOutput();
                    } catch (IOException ignored) {
                        // the read side fails the test
                    }
                });
                writer.start();
                byte[] echoed = plain.getInputStream().readAllBytes();
                assertThat(echoed.length).as("bytes echoed; closed: %s", observer.closed).isEqualTo(bulk.length);
                assertThat(echoed).isEqualTo(bulk);
                writer.join(10_000);
            }
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> observer.closed.size() == 1);
        assertThat(observer.closed.get(0).reason()).isIn(CloseReason.CLIENT_CLOSED, CloseReason.BACKEND_CLOSED);
        assertThat(observer.closed.get(0).bytesSpliced()).isZero();
        assertThat(sni.get()).contains("api.example.com");
        assertThat(LeakDetectionExtension.collectLeaks()).isEmpty();
    }
}
