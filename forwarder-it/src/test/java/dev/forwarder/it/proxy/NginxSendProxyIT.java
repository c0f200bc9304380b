package dev.forwarder.it.proxy;

import dev.forwarder.app.Forwarder;
import dev.forwarder.app.config.ConfigLoader;
import dev.forwarder.it.support.TestImages;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;
import org.testcontainers.utility.MountableFile;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code send-proxy = v1} and {@code v2} in front of nginx (Debian's nginx-light in a container) listening with
 * {@code proxy_protocol}: nginx answers and logs {@code $proxy_protocol_addr}, which must be the client's own
 * address (a loopback alias the client binds, 127.0.0.4) and port, while the socket peer nginx sees is forwarder's
 * (through Docker's port proxy). The log is read from the container. The pool's {@code http} health checks start
 * with a PROXY header too ({@code PROXY UNKNOWN}, v2 {@code LOCAL}): the member starts down and can only come up
 * if nginx takes them, and nginx must log no "broken header".
 */
@Testcontainers
class NginxSendProxyIT {

    private static final int PORT = 8080;

    @Container
    static final GenericContainer<?> NGINX = new GenericContainer<>(TestImages.NGINX)
            .withCopyFileToContainer(MountableFile.forClasspathResource("docker/nginx-proxy/nginx.conf"),
                    "/etc/nginx/nginx.conf")
            .withExposedPorts(PORT)
            .waitingFor(Wait.forListeningPort().withStartupTimeout(Duration.ofSeconds(60)));

    @ParameterizedTest(name = "send-proxy={0}")
    @ValueSource(strings = {"v1", "v2"})
    void nginxLogsTheClientsAddressNotForwarders(String version) throws Exception {
        String hocon = """
                forwarder {
                  shutdown-timeout = 2s
                  listeners { web { bind = "127.0.0.1:0", pool = web } }
                  pools { web {
                    backends = [ "127.0.0.1:%d" ]
                    send-proxy = %s
                    health-check { type = http, path = "/", interval = 500ms, rise = 1, initial-state = down }
                  } }
                }
                """.formatted(NGINX.getMappedPort(PORT), version);
        try (Forwarder forwarder = Forwarder.start(ConfigLoader.parse(hocon, "NginxSendProxyIT"))) {
            InetSocketAddress web = forwarder.listenerAddress("web");
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                    .until(() -> get(from("127.0.0.2", web)).contains("client=127.0.0.2:"));
            try (Socket client = from("127.0.0.4", web)) {
                String me = "127.0.0.4:" + client.getLocalPort();
                assertThat(get(client)).isEqualTo("client=" + me + "\n");
                String line = "client=" + me + " peer=";
                await("nginx's access log line for " + me).atMost(Duration.ofSeconds(5)).until(
                        () -> accessLog().contains(line));
                String logged = accessLog().lines().filter(l -> l.startsWith(line)).findFirst().orElseThrow();
                // The socket nginx read from is forwarder's (via Docker's proxy), never the client's.
                assertThat(logged.substring(line.length())).isNotEqualTo("127.0.0.4");
            }
            assertThat(forwarder.pool("web").members()).allMatch(m -> m.healthCheckPasses() > 0);
            // The checks' lines: no client named ("-", the header said it relays none), nothing nginx refused.
            assertThat(accessLog()).contains("client=-:- peer=");
            assertThat(NGINX.execInContainer("cat", "/var/log/nginx/error.log").getStdout())
                    .doesNotContain("broken header");
        }
    }

    private static String accessLog() throws IOException, InterruptedException {
        return NGINX.execInContainer("cat", "/var/log/nginx/proxied.log").getStdout();
    }

    private static Socket from(String source, InetSocketAddress target) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
        socket.connect(target, 5_000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** {@code GET /} with {@code Connection: close}: the body of the answer. */
    private static String get(Socket socket) throws IOException {
        try (socket) {
            socket.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            int body = answer.indexOf("\r\n\r\n");
            return body < 0 ? answer : answer.substring(body + 4);
        }
    }
}
