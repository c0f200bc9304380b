package dev.forwarder.core.relay;

import dev.forwarder.core.ConnectPolicy;
import dev.forwarder.core.ConnectionInfo;
import dev.forwarder.core.ConnectionObserver;
import dev.forwarder.core.Transport;
import dev.forwarder.core.testing.BlockingServer;
import dev.forwarder.core.testing.FixedChooser;
import dev.forwarder.core.testing.RecordingObserver;
import dev.forwarder.core.tls.TlsPool;
import io.netty.handler.ssl.SslProvider;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.net.ssl.SSLSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Which pool a terminated TLS connection goes to: its server name's ({@code sni-pools}) first, then its agreed ALPN
 * protocol's ({@code alpn-pools}), then the listener's; and the {@code tls} note saying which and why.
 */
class TlsPoolChoiceTest {

    @TempDir
    Path dir;

    /** A backend that writes its name and closes. */
    private static BlockingServer named(String name) {
        return BlockingServer.start(socket -> socket.getOutputStream().write(name.getBytes(StandardCharsets.US_ASCII)));
    }

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void theServerNameThenTheAlpnProtocolThenTheListenersPoolPicks(SslProvider provider) throws Exception {
        TlsFixture tls = new TlsFixture(dir, provider);
        RecordingObserver observer = new RecordingObserver();
        List<String> notes = new CopyOnWriteArrayList<>();
        ConnectionObserver tlsNotes = new ConnectionObserver() {
            @Override
            public boolean observesBytes() {
                return false;
            }

            @Override
            public void closed(ConnectionInfo connection) {
                notes.add(connection.tls());
            }
        };
        try (BlockingServer own = named("own");
             BlockingServer grpc = named("grpc");
             BlockingServer web = named("web");
             BlockingServer api = named("api")) {
            FixedChooser grpcPool = new FixedChooser(grpc.address());
            FixedChooser webPool = new FixedChooser(web.address());
            FixedChooser apiPool = new FixedChooser(api.address());
            try (RelayFixture relay = new RelayFixture(Transport.AUTO, RelayFixture.settings(),
                    new FixedChooser(own.address()), ConnectionObserver.compose(List.of(observer, tlsNotes)),
                    ConnectPolicy.ofTries(1), tls.termination(
                            Map.of("api.example.com", new TlsPool("api", apiPool)),
                            Map.of("h2", new TlsPool("grpc", grpcPool), "http/1.1", new TlsPool("web", webPool))))) {
                // A server name not in sni-pools: the ALPN protocol decides.
                assertThat(answer(tls, relay, "web.example.com", "h2")).isEqualTo("grpc");
                assertThat(answer(tls, relay, null, "http/1.1")).isEqualTo("web");
                // The server name wins over the protocol.
                assertThat(answer(tls, relay, "api.example.com", "h2")).as("%s", notes).isEqualTo("api");
                // No ALPN at all, or none in common: the listener's own pool.
                assertThat(answer(tls, relay, null)).isEqualTo("own");
                assertThat(answer(tls, relay, "web.example.com", "h3")).isEqualTo("own");

                await().atMost(Duration.ofSeconds(5)).until(() -> notes.size() == 5);
                assertThat(notes).containsExactlyInAnyOrder(
                        "TLSv1.3 sni=web.example.com alpn=h2 pool=grpc pool_by=alpn",
                        "TLSv1.3 sni=- alpn=http/1.1 pool=web pool_by=alpn",
                        "TLSv1.3 sni=api.example.com alpn=h2 pool=api pool_by=sni",
                        "TLSv1.3 sni=- alpn=- pool=own pool_by=listener",
                        "TLSv1.3 sni=web.example.com alpn=- pool=own pool_by=listener");
                assertThat(List.of(grpcPool.chosen.get(), webPool.chosen.get(), apiPool.chosen.get()))
                        .containsExactly(1, 1, 1);
                assertThat(own.accepted()).isEqualTo(2);
            }
        }
    }

    /** What the backend a new connection reached says, through TLS with {@code serverName} and {@code alpn}. */
    private static String answer(TlsFixture tls, RelayFixture relay, String serverName, String... alpn)
            throws Exception {
        try (SSLSocket client = tls.connect(relay.listener.localAddress(), serverName, alpn)) {
            return new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }
}
