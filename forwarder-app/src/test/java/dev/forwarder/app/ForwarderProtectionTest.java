package dev.forwarder.app;

import com.codahale.metrics.MetricRegistry;
import dev.forwarder.app.config.ConfigLoader;
import dev.forwarder.app.metrics.MetricNames;
import dev.forwarder.core.ConnectionSnapshot;
import dev.forwarder.core.access.RejectReason;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Access rules and PROXY headers through the assembled forwarder: metrics, and HAProxy as the client. */
class ForwarderProtectionTest {

    @TempDir
    Path dir;

    private static Socket from(String source, InetSocketAddress target) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
        socket.connect(target, 5_000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static boolean echoes(Socket socket) throws IOException {
        socket.getOutputStream().write('x');
        return socket.getInputStream().read() == 'x';
    }

    @Test
    void refusedClientsAreCountedPerReason() throws Exception {
        try (EchoBackend backend = EchoBackend.start();
             Forwarder forwarder = Forwarder.start(ConfigLoader.parse("""
                     forwarder {
                       listeners { web { bind = "127.0.0.1:0", pool = web, deny = [ "127.0.0.3" ],
                                         max-connections-per-client = 1 } }
                       pools { web { backends = [ "127.0.0.1:%d" ] } }
                     }
                     """.formatted(backend.port()), "test"))) {
            InetSocketAddress web = forwarder.listenerAddress("web");
            try (Socket one = from("127.0.0.2", web)) {
                assertThat(echoes(one)).isTrue();
                for (String source : List.of("127.0.0.3", "127.0.0.2")) {
                    try (Socket refused = from(source, web)) {
                        assertThat(refused.getInputStream().read()).isEqualTo(-1);
                    } catch (IOException reset) {
                        // refused with a reset, as it should be
                    }
                }
            }
            MetricRegistry metrics = forwarder.metrics();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                assertThat(metrics.meter(MetricNames.rejected("web", RejectReason.DENIED)).getCount()).isEqualTo(1);
                assertThat(metrics.meter(MetricNames.rejected("web", RejectReason.MAX_CONNECTIONS_PER_CLIENT))
                        .getCount()).isEqualTo(1);
            });
            assertThat(metrics.meter(MetricNames.listener("web", MetricNames.ACCEPTED)).getCount()).isEqualTo(1);
            assertThat(backend.accepted()).isEqualTo(1);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /** HAProxy (Debian's haproxy) with send-proxy-v2 in front: forwarder sees the client HAProxy saw. */
    @Test
    void behindHaproxySendProxyV2TheClientIsTheOneHaproxySaw() throws Exception {
        Path haproxy = Path.of("/usr/sbin/haproxy");
        assertThat(Files.isExecutable(haproxy)).as("Debian's haproxy package (scripts/test-tools.sh installs it)").isTrue();
        try (EchoBackend backend = EchoBackend.start();
             Forwarder forwarder = Forwarder.start(ConfigLoader.parse("""
                     forwarder {
                       listeners { web { bind = "127.0.0.1:0", pool = web, accept-proxy = v2,
                                         accept-proxy-from = [ "127.0.0.1" ], deny = [ "127.0.0.5" ] } }
                       pools { web { backends = [ "127.0.0.1:%d" ] } }
                     }
                     """.formatted(backend.port()), "test"))) {
            int front = freePort();
            Path config = dir.resolve("haproxy.cfg");
            Files.writeString(config, """
                    global
                      nbthread 1
                    defaults
                      mode tcp
                      timeout connect 5s
                      timeout client 30s
                      timeout server 30s
                    listen front
                      bind 127.0.0.1:%d
                      server fwd 127.0.0.1:%d send-proxy-v2
                    """.formatted(front, forwarder.listenerAddress("web").getPort()));
            Process process = new ProcessBuilder(haproxy.toString(), "-db", "-f", config.toString())
                    .redirectErrorStream(true).redirectOutput(dir.resolve("haproxy.log").toFile()).start();
            try {
                InetSocketAddress target = new InetSocketAddress("127.0.0.1", front);
                await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
                    try (Socket probe = from("127.0.0.2", target)) {
                        return echoes(probe);
                    }
                });
                try (Socket client = from("127.0.0.4", target)) {
                    assertThat(echoes(client)).isTrue();
                    List<ConnectionSnapshot> open = forwarder.listener("web").connections();
                    assertThat(open).extracting(ConnectionSnapshot::client)
                            .contains("127.0.0.4:" + client.getLocalPort());
                }
                // The address HAProxy passes on is what deny checks.
                try (Socket denied = from("127.0.0.5", target)) {
                    denied.getOutputStream().write('x');
                    assertThat(denied.getInputStream().read()).isEqualTo(-1);
                } catch (IOException reset) {
                    // HAProxy may pass the close on as a reset
                }
                await().atMost(Duration.ofSeconds(5)).until(() -> forwarder.metrics()
                        .meter(MetricNames.rejected("web", RejectReason.DENIED)).getCount() == 1);
                // A client that goes around HAProxy, straight to forwarder with a header of its own, is not believed:
                // its peer address (127.0.0.6) is not in accept-proxy-from.
                try (Socket direct = from("127.0.0.6", forwarder.listenerAddress("web"))) {
                    direct.getOutputStream().write(
                            "PROXY TCP4 127.0.0.4 127.0.0.1 1 2\r\nx".getBytes(StandardCharsets.US_ASCII));
                    assertThat(direct.getInputStream().read()).isEqualTo(-1);
                } catch (IOException reset) {
                    // refused with a reset, as it should be
                }
                await().atMost(Duration.ofSeconds(5)).until(() -> forwarder.metrics()
                        .meter(MetricNames.rejected("web", RejectReason.UNTRUSTED_PROXY)).getCount() == 1);
            } finally {
                process.destroy();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    /** nginx (Debian's nginx-light) with listen ... proxy_protocol behind a pool with send-proxy: it logs the client. */
    @ParameterizedTest
    @ValueSource(strings = {"v1", "v2"})
    void nginxBehindSendProxySeesTheClientNotForwarder(String version) throws Exception {
        Path nginx = Path.of("/usr/sbin/nginx");
        assertThat(Files.isExecutable(nginx)).as("Debian's nginx-light (scripts/test-tools.sh installs it)").isTrue();
        int port = freePort();
        Path prefix = Files.createDirectories(dir.resolve("nginx"));
        Files.createDirectories(prefix.resolve("logs"));
        Path access = prefix.resolve("logs/access.log");
        Files.writeString(prefix.resolve("nginx.conf"), """
                pid %s/nginx.pid;
                error_log %s/logs/error.log;
                events { worker_connections 64; }
                http {
                  log_format proxied '$proxy_protocol_addr:$proxy_protocol_port via $remote_addr';
                  access_log %s proxied;
                  client_body_temp_path %s/tmp; proxy_temp_path %s/tmp; fastcgi_temp_path %s/tmp;
                  uwsgi_temp_path %s/tmp; scgi_temp_path %s/tmp;
                  server {
                    listen 127.0.0.1:%d proxy_protocol;
                    location / { return 200 "client=$proxy_protocol_addr:$proxy_protocol_port\n"; }
                  }
                }
                """.formatted(prefix, prefix, access, prefix, prefix, prefix, prefix, prefix, port));
        Process process = new ProcessBuilder(nginx.toString(), "-p", prefix.toString(), "-c",
                prefix.resolve("nginx.conf").toString(), "-g", "daemon off;")
                .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
        try (Forwarder forwarder = Forwarder.start(ConfigLoader.parse("""
                     forwarder {
                       listeners { web { bind = "127.0.0.1:0", pool = web } }
                       pools { web { backends = [ "127.0.0.1:%d" ], send-proxy = %s } }
                     }
                     """.formatted(port, version), "test"))) {
            InetSocketAddress web = forwarder.listenerAddress("web");
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                    .until(() -> get(from("127.0.0.2", web)).contains("client=127.0.0.2:"));
            try (Socket client = from("127.0.0.4", web)) {
                int clientPort = client.getLocalPort();
                assertThat(get(client)).contains("client=127.0.0.4:" + clientPort);
                await().atMost(Duration.ofSeconds(5)).until(() -> Files.readString(access)
                        .contains("127.0.0.4:" + clientPort + " via 127.0.0.1"));
            }
        } finally {
            process.destroy();
            process.waitFor(5, TimeUnit.SECONDS);
        }
    }

    private static String get(Socket socket) throws IOException {
        try (socket) {
            socket.getOutputStream().write("GET / HTTP/1.0\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }
}
