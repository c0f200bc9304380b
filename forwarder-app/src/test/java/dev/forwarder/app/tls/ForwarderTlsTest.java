package dev.forwarder.app.tls;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.forwarder.app.Forwarder;
import dev.forwarder.app.config.ConfigError;
import dev.forwarder.app.config.ConfigLoader;
import dev.forwarder.app.metrics.MetricNames;
import dev.forwarder.app.reload.ReloadResult;
import dev.forwarder.app.reload.Reloader;
import dev.forwarder.core.CloseReason;
import dev.forwarder.core.testing.TestCertificates;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * TLS through the assembled forwarder with real clients: Debian's {@code openssl s_client} and {@code curl}
 * (missing tools fail the tests), certificates from a test CA made with {@code openssl}.
 */
class ForwarderTlsTest {

    @TempDir
    Path dir;

    private final Logger connectionLog = (Logger) LoggerFactory.getLogger("dev.forwarder.connection");
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private Level previous;

    @BeforeEach
    void captureConnectionLog() {
        previous = connectionLog.getLevel();
        connectionLog.setLevel(Level.INFO);
        lines.start();
        connectionLog.addAppender(lines);
    }

    @AfterEach
    void release() {
        connectionLog.detachAppender(lines);
        connectionLog.setLevel(previous);
    }

    private List<String> closeLines() {
        return lines.list.stream().map(ILoggingEvent::getFormattedMessage).filter(l -> l.startsWith("close ")).toList();
    }

    private Path config(String text) throws IOException {
        Path file = dir.resolve("forwarder.conf");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void serverNamePicksThePoolAlpnIsAgreedAndLoggedAndCloseNotifyEndsIt() throws Exception {
        TestCertificates certs = TestCertificates.create(dir, "fwd");
        try (Tools.NamedBackend api = new Tools.NamedBackend("api", false);
             Tools.NamedBackend web = new Tools.NamedBackend("web", false);
             Forwarder forwarder = Forwarder.start(ConfigLoader.load(config("""
                     forwarder {
                       admin.enabled = false
                       listeners { front { bind = "127.0.0.1:0", pool = web,
                         tls { certificate = "fwd.pem", key = "fwd.key", alpn = [ "h2", "http/1.1" ],
                               sni-pools { "api.example.com" = api } } } }
                       pools { web { backends = [ "127.0.0.1:%d" ] }, api { backends = [ "127.0.0.1:%d" ] } }
                     }
                     """.formatted(web.port(), api.port()))))) {
            int port = forwarder.listenerAddress("front").getPort();

            Tools.Result toApi = Tools.sClient(dir, port, certs.ca(), "api.example.com", "h2");
            assertThat(toApi.output()).contains("Verify return code: 0 (ok)", "ALPN protocol: h2",
                    "Protocol  : TLSv1.3", "\napi\n");
            // The backend's FIN went out as close_notify, then FIN.
            assertThat(toApi.output()).containsPattern("<<< TLS 1.3, Alert \\[length 0002\\], warning close_notify");
            // Server names compare in lower case.
            Tools.Result other = Tools.sClient(dir, port, certs.ca(), "API.Example.COM", "http/1.1,h2");
            assertThat(other.output()).contains("ALPN protocol: h2", "\napi\n");
            Tools.Result none = Tools.sClient(dir, port, certs.ca(), null, null);
            assertThat(none.output()).contains("No ALPN negotiated", "\nweb\n");

            await().atMost(Duration.ofSeconds(5)).until(() -> closeLines().size() == 3);
            assertThat(closeLines().get(0)).contains("backend=" + "127.0.0.1:" + api.port(),
                    "tls=TLSv1.3 sni=api.example.com alpn=h2", "reason=backend-closed");
            assertThat(closeLines().get(1)).contains("backend=127.0.0.1:" + api.port(),
                    "tls=TLSv1.3 sni=api.example.com alpn=h2");
            assertThat(closeLines().get(2)).contains("backend=127.0.0.1:" + web.port(), "tls=TLSv1.3 sni=- alpn=-");
        }
    }

    private static final String ALPN_POOLS = """
            forwarder {
              admin.enabled = false
              listeners { front { bind = "127.0.0.1:0", pool = own,
                tls { certificate = "fwd.pem", key = "fwd.key", alpn = [ "h2", "http/1.1" ], provider = %s,
                      sni-pools { "api.example.com" = api }
                      alpn-pools { %s } } } }
              pools { own { backends = [ "127.0.0.1:%d" ] }, grpc { backends = [ "127.0.0.1:%d" ] },
                      web { backends = [ "127.0.0.1:%d" ] }, api { backends = [ "127.0.0.1:%d" ] } }
            }
            """;

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"openssl", "jdk"})
    void theAlpnProtocolPicksThePoolAfterTheServerNameAndAReloadRepointsNewConnections(String provider)
            throws Exception {
        TestCertificates certs = TestCertificates.create(dir, "fwd");
        try (Tools.NamedBackend own = new Tools.NamedBackend("own", false);
             Tools.NamedBackend grpc = new Tools.NamedBackend("grpc", false);
             Tools.NamedBackend web = new Tools.NamedBackend("web", false);
             Tools.NamedBackend api = new Tools.NamedBackend("api", false);
             Forwarder forwarder = Forwarder.start(ConfigLoader.load(config(ALPN_POOLS.formatted(provider,
                     "\"h2\" = grpc, \"http/1.1\" = web", own.port(), grpc.port(), web.port(), api.port()))))) {
            int port = forwarder.listenerAddress("front").getPort();

            // A server name sni-pools does not know: the agreed protocol picks.
            assertThat(Tools.sClient(dir, port, certs.ca(), "web.example.com", "h2").output())
                    .contains("ALPN protocol: h2", "\ngrpc\n");
            assertThat(Tools.sClient(dir, port, certs.ca(), "web.example.com", "http/1.1").output())
                    .contains("ALPN protocol: http/1.1", "\nweb\n");
            // The server name comes first, whatever the protocol.
            assertThat(Tools.sClient(dir, port, certs.ca(), "api.example.com", "h2").output())
                    .contains("ALPN protocol: h2", "\napi\n");
            // No ALPN, or none in common: the listener's own pool.
            assertThat(Tools.sClient(dir, port, certs.ca(), "web.example.com", null).output())
                    .contains("No ALPN negotiated", "\nown\n");
            assertThat(Tools.sClient(dir, port, certs.ca(), "web.example.com", "h3").output())
                    .contains("No ALPN negotiated", "\nown\n");

            await().atMost(Duration.ofSeconds(5)).until(() -> closeLines().size() == 5);
            assertThat(closeLines()).filteredOn(line -> line.contains("backend=127.0.0.1:" + grpc.port() + " "))
                    .singleElement().asString()
                    .contains("tls=TLSv1.3 sni=web.example.com alpn=h2 pool=grpc pool_by=alpn");
            assertThat(closeLines()).filteredOn(line -> line.contains("backend=127.0.0.1:" + web.port() + " "))
                    .singleElement().asString().contains("alpn=http/1.1 pool=web pool_by=alpn");
            assertThat(closeLines()).filteredOn(line -> line.contains("backend=127.0.0.1:" + api.port() + " "))
                    .singleElement().asString().contains("sni=api.example.com alpn=h2 pool=api pool_by=sni");
            assertThat(closeLines()).filteredOn(line -> line.contains("backend=127.0.0.1:" + own.port() + " "))
                    .hasSize(2).allSatisfy(line -> assertThat(line).contains("alpn=- pool=own pool_by=listener"));

            // A reload that sends h2 to web: new connections follow it.
            config(ALPN_POOLS.formatted(provider, "\"h2\" = web", own.port(), grpc.port(), web.port(),
                    api.port()));
            ReloadResult reloaded = new Reloader(dir.resolve("forwarder.conf"), forwarder).reload();
            assertThat(reloaded.ok()).as(reloaded.message()).isTrue();
            assertThat(Tools.sClient(dir, port, certs.ca(), "web.example.com", "h2").output())
                    .contains("ALPN protocol: h2", "\nweb\n");
            assertThat(Tools.sClient(dir, port, certs.ca(), "web.example.com", "http/1.1").output())
                    .contains("ALPN protocol: http/1.1", "\nown\n");
            assertThat(grpc.accepted.get()).isEqualTo(1);
        }
    }

    @Test
    void curlGetsThroughATerminatingListenerToAPlainHttpBackend() throws Exception {
        TestCertificates certs = TestCertificates.create(dir, "fwd");
        try (Tools.NamedBackend http = new Tools.NamedBackend("hello over tls", true);
             Forwarder forwarder = Forwarder.start(ConfigLoader.load(config("""
                     forwarder {
                       admin.enabled = false
                       listeners { front { bind = "127.0.0.1:0", pool = web,
                                           tls { certificate = "fwd.pem", key = "fwd.key" } } }
                       pools { web { backends = [ "127.0.0.1:%d" ] } }
                     }
                     """.formatted(http.port()))))) {
            int port = forwarder.listenerAddress("front").getPort();
            Tools.Result curl = Tools.run(dir, "", "curl", "-sS", "--fail", "--cacert", certs.ca().toString(),
                    "--resolve", "web.example.com:" + port + ":127.0.0.1", "https://web.example.com:" + port + "/");
            assertThat(curl.output()).isEqualTo("hello over tls");
            assertThat(curl.exit()).isZero();
            Tools.Result byIp = Tools.run(dir, "", "curl", "-sS", "--fail", "--cacert", certs.ca().toString(),
                    "https://127.0.0.1:" + port + "/");
            assertThat(byIp.output()).isEqualTo("hello over tls");
            await().atMost(Duration.ofSeconds(5)).until(() -> closeLines().size() == 2);
            assertThat(closeLines()).allSatisfy(line -> assertThat(line).contains("tls=TLSv1.3"));
        }
    }

    @Test
    void aClientThatDoesNotSpeakTlsEndsTlsHandshakeFailedAndNoBackendIsChosen() throws Exception {
        TestCertificates certs = TestCertificates.create(dir, "fwd");
        try (Tools.NamedBackend web = new Tools.NamedBackend("web", false);
             Forwarder forwarder = Forwarder.start(ConfigLoader.load(config("""
                     forwarder {
                       admin.enabled = false
                       listeners { front { bind = "127.0.0.1:0", pool = web,
                                           tls { certificate = "fwd.pem", key = "fwd.key" } } }
                       pools { web { backends = [ "127.0.0.1:%d" ] } }
                     }
                     """.formatted(web.port()))))) {
            try (Socket plain = new Socket("127.0.0.1", forwarder.listenerAddress("front").getPort())) {
                plain.setSoTimeout(5_000);
                plain.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                try {
                    plain.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
                } catch (IOException reset) {
                    // an alert, then the close, or a reset: either ends it
                }
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> forwarder.metrics()
                    .meter(MetricNames.closed("front", CloseReason.TLS_HANDSHAKE_FAILED)).getCount() == 1);
            assertThat(closeLines()).singleElement().asString().contains("reason=tls-handshake-failed", "backend=-");
            assertThat(web.accepted.get()).isZero();
            // An untrusted client certificate check is the client's: s_client refuses a chain it cannot verify.
            TestCertificates stranger = TestCertificates.create(dir.resolve("other"), "other");
            Tools.Result refused = Tools.sClient(dir, forwarder.listenerAddress("front").getPort(), stranger.ca(),
                    "web.example.com", null);
            assertThat(refused.output()).contains("unable to get local issuer certificate");
            assertThat(refused.exit()).isNotZero();
        }
    }

    @Test
    void aNewCertificateIsUsedAfterAReloadAndABadKeyIsRefused() throws Exception {
        TestCertificates first = TestCertificates.create(dir, "fwd");
        try (Tools.NamedBackend web = new Tools.NamedBackend("web", false);
             Forwarder forwarder = Forwarder.start(ConfigLoader.load(config("""
                     forwarder {
                       admin.enabled = false
                       listeners { front { bind = "127.0.0.1:0", pool = web,
                                           tls { certificate = "fwd.pem", key = "fwd.key" } } }
                       pools { web { backends = [ "127.0.0.1:%d" ] } }
                     }
                     """.formatted(web.port()))))) {
            int port = forwarder.listenerAddress("front").getPort();
            Reloader reloader = new Reloader(dir.resolve("forwarder.conf"), forwarder);
            assertThat(Tools.sClient(dir, port, first.ca(), "web.example.com", null).output())
                    .contains("subject=CN = fwd");

            // Same file names, new content: a leaf named "renewed" from the same CA.
            TestCertificates renewed = first.another("renewed", TestCertificates.SAN);
            Files.copy(renewed.chain(), first.chain(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.copy(renewed.key(), first.key(), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            ReloadResult reloaded = reloader.reload();
            assertThat(reloaded.ok()).as(reloaded.message()).isTrue();
            assertThat(Tools.sClient(dir, port, first.ca(), "web.example.com", null).output())
                    .contains("subject=CN = renewed", "Verify return code: 0 (ok)");

            // A key that is not one: refused, with file, line and key; the running certificate stays.
            Files.writeString(first.key(), "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
            ReloadResult refused = reloader.reload();
            assertThat(refused.ok()).isFalse();
            assertThat(refused.message()).contains("forwarder.conf:4: forwarder.listeners.front.tls.key");
            assertThat(Tools.sClient(dir, port, first.ca(), "web.example.com", null).output())
                    .contains("subject=CN = renewed", "\nweb\n");
        }
    }

    @Test
    void badTlsKeysAreConfigErrorsWithFileLineAndKey() throws Exception {
        TestCertificates.create(dir, "fwd");
        assertThatThrownBy(() -> ConfigLoader.load(config("""
                forwarder {
                  listeners { front { bind = "127.0.0.1:0", pool = web,
                    tls { certificate = "fwd.pem", key = "fwd.key",
                          sni-pools { "api.example.com" = nowhere } } } }
                  pools { web { backends = [ "127.0.0.1:9" ] } }
                }
                """))).isInstanceOf(ConfigError.class)
                .hasMessageContaining("forwarder.conf:4: forwarder.listeners.front.tls.sni-pools.\"api.example.com\"")
                .hasMessageContaining("\"nowhere\" is not a pool");
        assertThatThrownBy(() -> ConfigLoader.load(config("""
                forwarder {
                  listeners { front { bind = "127.0.0.1:0", pool = web,
                    tls { certificate = "missing.pem", key = "fwd.key" } } }
                  pools { web { backends = [ "127.0.0.1:9" ] } }
                }
                """))).isInstanceOf(ConfigError.class)
                .hasMessageContaining("forwarder.conf:3: forwarder.listeners.front.tls.certificate")
                .hasMessageContaining("missing.pem: no such file");
        assertThatThrownBy(() -> ConfigLoader.load(config("""
                forwarder {
                  listeners { front { bind = "127.0.0.1:0", pool = web } }
                  pools { web { backends = [ "127.0.0.1:9" ],
                    tls { enabled = true, ca-file = "fwd.key" } } }
                }
                """))).isInstanceOf(ConfigError.class)
                .hasMessageContaining("forwarder.conf:4: forwarder.pools.web.tls.ca-file");
    }

    /** {@code openssl s_server -www} on a free port with {@code certs}' leaf; destroyed by the caller. */
    private Process sServer(TestCertificates certs, int port) throws IOException {
        Process process = new ProcessBuilder("openssl", "s_server", "-accept", "127.0.0.1:" + port, "-cert",
                certs.chain().toString(), "-key", certs.key().toString(), "-www", "-quiet")
                .directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("s_server-" + port + ".log").toFile()).start();
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
            try (Socket probe = new Socket("127.0.0.1", port)) {
                return true;
            }
        });
        return process;
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1,
                java.net.InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String get(int port) throws IOException {
        try (Socket client = new Socket("127.0.0.1", port)) {
            client.setSoTimeout(10_000);
            client.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            return new String(client.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (IOException reset) {
            return "reset: " + reset.getMessage();
        }
    }

    @Test
    void originationVerifiesTheBackendAndABackendWithAnotherCaFailsTheHandshake() throws Exception {
        TestCertificates ours = TestCertificates.create(dir, "fwd");
        TestCertificates stranger = TestCertificates.create(dir.resolve("other"), "other");
        int good = freePort();
        int bad = freePort();
        Process goodServer = sServer(ours, good);
        Process badServer = sServer(stranger, bad);
        try (Forwarder forwarder = Forwarder.start(ConfigLoader.load(config("""
                forwarder {
                  admin.enabled = false
                  pool-defaults { connect-tries = 1, tls { enabled = true, ca-file = "fwd-ca.pem" } }
                  listeners {
                    good { bind = "127.0.0.1:0", pool = good }
                    bad { bind = "127.0.0.1:0", pool = bad }
                    misnamed { bind = "127.0.0.1:0", pool = misnamed }
                    unverified { bind = "127.0.0.1:0", pool = unverified }
                  }
                  pools {
                    good { backends = [ "localhost:%d" ] }
                    bad { backends = [ "127.0.0.1:%d" ] }
                    misnamed { backends = [ "127.0.0.1:%d" ], tls.server-name = "elsewhere.example" }
                    unverified { backends = [ "127.0.0.1:%d" ], tls.verify = false }
                  }
                }
                """.formatted(good, bad, good, bad))))) {
            // Verified against fwd-ca.pem, the name checked is the backend's host, localhost.
            assertThat(get(forwarder.listenerAddress("good").getPort())).startsWith("HTTP/1.0 200 ok");
            assertThat(get(forwarder.listenerAddress("bad").getPort())).doesNotContain("HTTP/1.0 200");
            assertThat(get(forwarder.listenerAddress("misnamed").getPort())).doesNotContain("HTTP/1.0 200");
            assertThat(get(forwarder.listenerAddress("unverified").getPort())).startsWith("HTTP/1.0 200 ok");
            await().atMost(Duration.ofSeconds(5)).until(() -> closeLines().size() == 4);
            for (String listener : List.of("bad", "misnamed")) {
                assertThat(forwarder.metrics().meter(MetricNames.closed(listener, CloseReason.TLS_HANDSHAKE_FAILED))
                        .getCount()).as(listener).isEqualTo(1);
            }
            // A backend whose handshake fails counts as its connect failure: the close line names it as failed.
            assertThat(closeLines()).filteredOn(line -> line.contains("listener=bad "))
                    .singleElement().asString().contains("reason=tls-handshake-failed", "backend=-",
                            "failed=[127.0.0.1:" + bad + "]");
        } finally {
            goodServer.destroy();
            badServer.destroy();
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"openssl", "jdk"})
    void eitherEngineTerminatesAndOriginates(String provider) throws Exception {
        TestCertificates certs = TestCertificates.create(dir, "fwd");
        int port = freePort();
        Process server = sServer(certs, port);
        try (Forwarder forwarder = Forwarder.start(ConfigLoader.load(config("""
                forwarder {
                  admin.enabled = false
                  listeners { front { bind = "127.0.0.1:0", pool = tls,
                    tls { certificate = "fwd.pem", key = "fwd.key", provider = %s } } }
                  pools { tls { backends = [ "127.0.0.1:%d" ],
                    tls { enabled = true, ca-file = "fwd-ca.pem", server-name = "api.example.com", provider = %s } } }
                }
                """.formatted(provider, port, provider))))) {
            int front = forwarder.listenerAddress("front").getPort();
            Tools.Result curl = Tools.run(dir, "", "curl", "-sS", "--cacert", certs.ca().toString(),
                    "https://127.0.0.1:" + front + "/");
            assertThat(curl.output()).contains("s_server -accept");
        } finally {
            server.destroy();
        }
    }
}
