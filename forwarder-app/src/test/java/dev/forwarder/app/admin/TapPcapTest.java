package dev.forwarder.app.admin;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code GET /api/tap?format=pcap} piped into {@code tshark -r -} (Debian's tshark, installed by
 * scripts/test-tools.sh; missing, the test fails): it decodes an HTTP request and its answer on both legs.
 */
class TapPcapTest {

    private static final Path TSHARK = Path.of("/usr/bin/tshark");
    private static final String REQUEST = "GET /tapped HTTP/1.1\r\nHost: test.local\r\nConnection: close\r\n\r\n";
    private static final String RESPONSE = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 6\r\n"
            + "Connection: close\r\n\r\ntapped";

    /** Answers every request with {@link #RESPONSE}, then closes. */
    private static CompletableFuture<Void> serveOnce(ServerSocket server) {
        return CompletableFuture.runAsync(() -> {
            try (Socket client = server.accept()) {
                InputStream in = client.getInputStream();
                ByteArrayOutputStream request = new ByteArrayOutputStream();
                while (!request.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
                    int b = in.read();
                    if (b < 0) {
                        return;
                    }
                    request.write(b);
                }
                client.getOutputStream().write(RESPONSE.getBytes(StandardCharsets.US_ASCII));
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
    }

    @Test
    void tsharkDecodesTheHttpExchangeOfAPcapTapOnBothLegs() throws Exception {
        assertThat(Files.isExecutable(TSHARK)).as("%s is installed: bash scripts/test-tools.sh", TSHARK).isTrue();
        try (ServerSocket backend = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                TapHarness harness = new TapHarness(backend.getLocalPort(), "")) {
            CompletableFuture<Void> served = serveOnce(backend);
            int total = REQUEST.length() + RESPONSE.length();
            HttpResponse<InputStream> tap = harness.stream("/api/tap?listener=web&format=pcap&max-bytes=" + total);
            assertThat(tap.statusCode()).isEqualTo(200);
            assertThat(tap.headers().firstValue("content-type")).hasValue("application/vnd.tcpdump.pcap");
            await().atMost(Duration.ofSeconds(10)).until(() -> harness.taps().size() == 1);

            int clientPort;
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), harness.listenerPort())) {
                client.setSoTimeout(10_000);
                clientPort = client.getLocalPort();
                OutputStream out = client.getOutputStream();
                out.write(REQUEST.getBytes(StandardCharsets.US_ASCII));
                assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                        .isEqualTo(RESPONSE);
            }
            served.get(10, TimeUnit.SECONDS);

            // The tap ends by itself once it has taken the request and the answer (max-bytes).
            Process tshark = new ProcessBuilder(TSHARK.toString(), "-r", "-",
                    "-d", "tcp.port==" + harness.listenerPort() + ",http",
                    "-d", "tcp.port==" + backend.getLocalPort() + ",http", "-Y", "http", "-T", "fields",
                    "-E", "separator=,", "-e", "ip.src", "-e", "tcp.srcport", "-e", "ip.dst", "-e", "tcp.dstport",
                    "-e", "http.request.method", "-e", "http.request.uri", "-e", "http.response.code")
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            ByteArrayOutputStream stream = new ByteArrayOutputStream();
            try (InputStream body = tap.body(); OutputStream stdin = tshark.getOutputStream()) {
                byte[] buffer = new byte[8192];
                for (int n; (n = body.read(buffer)) >= 0; ) {
                    stdin.write(buffer, 0, n);
                    stream.write(buffer, 0, n);
                }
            }
            String out = new String(tshark.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(tshark.waitFor(60, TimeUnit.SECONDS)).isTrue();
            Path saved = Path.of("target", "tap-http.pcap");
            Files.createDirectories(saved.getParent());
            Files.write(saved, stream.toByteArray());
            assertThat(tshark.exitValue()).as("tshark -r - on %s:%n%s", saved, out).isZero();
            assertThat(stream.toByteArray()).startsWith((byte) 0xa1, (byte) 0xb2, (byte) 0xc3, (byte) 0xd4);

            List<String> lines = out.lines().toList();
            int listener = harness.listenerPort();
            int server = backend.getLocalPort();
            assertThat(lines).as(out).contains(
                    "127.0.0.1," + clientPort + ",127.0.0.1," + listener + ",GET,/tapped,",
                    "127.0.0.1," + listener + ",127.0.0.1," + clientPort + ",,,200");
            assertThat(lines).as(out).anyMatch(l -> l.matches("127\\.0\\.0\\.1,[0-9]+,127\\.0\\.0\\.1," + server
                    + ",GET,/tapped,"));
            assertThat(lines).as(out).anyMatch(l -> l.matches("127\\.0\\.0\\.1," + server
                    + ",127\\.0\\.0\\.1,[0-9]+,,,200"));
            await().atMost(Duration.ofSeconds(10)).until(() -> harness.taps().isEmpty());
        }
    }
}
