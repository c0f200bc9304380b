package dev.forwarder.it.tls;

import dev.forwarder.app.Forwarder;
import dev.forwarder.app.config.ConfigLoader;
import dev.forwarder.app.metrics.MetricNames;
import dev.forwarder.core.CloseReason;
import dev.forwarder.core.testing.TestCertificates;
import dev.forwarder.it.support.Http;
import dev.forwarder.it.support.TestImages;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.utility.MountableFile;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Origination to nginx with {@code listen 443 ssl} in a container (Debian's nginx-light, the image of the other
 * nginx tests with a TLS config), its certificate from a test CA: forwarder verifies it (against the CA and the
 * name) and a plain HTTP request gets through; a wrong server name fails the handshake.
 */
class NginxTlsIT {

    @TempDir
    Path dir;

    @Test
    void forwarderOriginatesVerifiedTlsToNginx() throws Exception {
        TestCertificates certs = TestCertificates.create(dir, "nginx");
        try (GenericContainer<?> nginx = new GenericContainer<>(TestImages.NGINX)
                .withCopyFileToContainer(MountableFile.forClasspathResource("docker/nginx/nginx-tls.conf"),
                        "/etc/nginx/nginx.conf")
                .withCopyFileToContainer(MountableFile.forHostPath(certs.chain()), "/etc/nginx/tls/nginx.pem")
                .withCopyFileToContainer(MountableFile.forHostPath(certs.key(), 0644), "/etc/nginx/tls/nginx.key")
                .withExposedPorts(443)
                .waitingFor(Wait.forListeningPort().withStartupTimeout(Duration.ofSeconds(60)))) {
            nginx.start();
            int port = nginx.getMappedPort(443);
            Path config = dir.resolve("forwarder.conf");
            Files.writeString(config, """
                    forwarder {
                      admin.enabled = false
                      shutdown-timeout = 2s
                      pool-defaults { connect-tries = 1, max-fails = 0,
                                      tls { enabled = true, ca-file = "nginx-ca.pem", verify = true } }
                      listeners {
                        plain { bind = "127.0.0.1:0", pool = nginx }
                        misnamed { bind = "127.0.0.1:0", pool = misnamed }
                      }
                      pools {
                        nginx { backends = [ "127.0.0.1:%d" ], tls.server-name = "api.example.com" }
                        misnamed { backends = [ "127.0.0.1:%d" ], tls.server-name = "elsewhere.example" }
                      }
                    }
                    """.formatted(port, port));
            try (Forwarder forwarder = Forwarder.start(ConfigLoader.load(config))) {
                Http.Answer answer = Http.get(forwarder.listenerAddress("plain"), "/");
                assertThat(answer.status()).isEqualTo(200);
                assertThat(answer.body()).isEqualTo("tls TLSv1.3 sni=api.example.com\n");

                assertThat(plainRequest(forwarder.listenerAddress("misnamed"))).doesNotContain("200");
                await().atMost(Duration.ofSeconds(5)).until(() -> forwarder.metrics()
                        .meter(MetricNames.closed("misnamed", CloseReason.TLS_HANDSHAKE_FAILED)).getCount() == 1);
            }
        }
    }

    private static String plainRequest(InetSocketAddress target) throws IOException {
        try (Socket socket = new Socket(target.getAddress(), target.getPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write("GET / HTTP/1.0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (IOException reset) {
            return "";
        }
    }
}
