package dev.forwarder.app.capture;

import dev.forwarder.app.Forwarder;
import dev.forwarder.app.config.ConfigLoader;
import dev.forwarder.app.config.ForwarderConfig;
import dev.forwarder.core.ConnectionSnapshot;
import dev.forwarder.core.Transport;
import dev.forwarder.core.relay.Pipelines;
import dev.forwarder.core.relay.RelayConnection;
import io.netty.channel.Channel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Capture on a running forwarder: off leaves the relay as it was, bounds hold, live connections are reached. */
class CaptureForwarderTest {

    @TempDir
    Path dir;

    private TestServers.Echo echo;

    @BeforeEach
    void startEcho() throws IOException {
        echo = new TestServers.Echo();
    }

    @AfterEach
    void stopEcho() throws IOException {
        echo.close();
    }

    private ForwarderConfig config(String capture) {
        return ConfigLoader.parse("""
                forwarder {
                  io-threads = 2
                  shutdown-timeout = 2s
                  listeners { web { bind = "127.0.0.1:0", pool = web, capture { %s } } }
                  pools { web { backends = [ "127.0.0.1:%d" ] } }
                }
                """.formatted(capture, echo.port()), "test");
    }

    private static byte[] exchange(Socket socket, byte[] data) throws IOException {
        OutputStream out = socket.getOutputStream();
        CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
            try {
                out.write(data);
                out.flush();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        byte[] back = new byte[data.length];
        new DataInputStream(socket.getInputStream()).readFully(back);
        sending.join();
        return back;
    }

    private static Socket connect(Forwarder forwarder) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), forwarder.listenerAddress("web").getPort());
        socket.setSoTimeout(20_000);
        return socket;
    }

    @Test
    void captureOffKeepsThePlainPipelineAndSplicesAsBefore() throws Exception {
        try (Forwarder forwarder = Forwarder.start(config("mode = off"))) {
            assertThat(forwarder.captures().active()).isEmpty();
            byte[] data = new byte[1 << 20];
            new Random(1).nextBytes(data);
            try (Socket socket = connect(forwarder)) {
                assertThat(exchange(socket, data)).isEqualTo(data);
                Channel client = forwarder.listener("web").clientChannels().get(0);
                RelayConnection relay = (RelayConnection) client.pipeline().get(Pipelines.RELAY);
                assertThat(client.pipeline().toMap().keySet()).containsExactly(Pipelines.RELAY);
                assertThat(relay.backendChannel().pipeline().toMap().keySet()).containsExactly(Pipelines.BACKEND);
                if (forwarder.relay().transport() == Transport.EPOLL) {
                    ConnectionSnapshot snapshot = forwarder.listener("web").connections().get(0);
                    assertThat(snapshot.bytesSpliced()).as("no observer: bulk bytes splice").isPositive();
                    assertThat(snapshot.summary()).as("capture.summary is off by default").isNull();
                }
            }
        }
    }

    @Test
    void aCapturedConnectionKeepsThePlainPipelineButCopies() throws Exception {
        try (Forwarder forwarder = Forwarder.start(config("mode = pcap, dir = \"" + dir + "\""))) {
            byte[] data = new byte[1 << 20];
            new Random(2).nextBytes(data);
            try (Socket socket = connect(forwarder)) {
                assertThat(exchange(socket, data)).isEqualTo(data);
                Channel client = forwarder.listener("web").clientChannels().get(0);
                assertThat(client.pipeline().toMap().keySet()).containsExactly(Pipelines.RELAY);
                assertThat(forwarder.listener("web").connections().get(0).bytesSpliced()).isZero();
            }
        }
    }

    @Test
    void tenMiBWithMaxBytes64KiBCapturesAtMost64KiBPerDirectionAndRelaysAllOfIt() throws Exception {
        byte[] data = new byte[10 << 20];
        new Random(3).nextBytes(data);
        try (Forwarder forwarder = Forwarder.start(config("mode = pcap, max-bytes = 64 KiB, dir = \"" + dir + "\""))) {
            try (Socket socket = connect(forwarder)) {
                byte[] back = exchange(socket, data);
                assertThat(sha256(back)).isEqualTo(sha256(data));
                if (forwarder.relay().transport() == Transport.EPOLL) {
                    // Past 64 KiB each way the capture left the connection: the rest of the bulk bytes spliced.
                    assertThat(exchange(socket, data)).isEqualTo(data);
                    assertThat(forwarder.listener("web").connections().get(0).bytesSpliced())
                            .as("spliced once the capture had its 64 KiB each way").isPositive();
                }
                socket.shutdownOutput();
                assertThat(socket.getInputStream().read()).isEqualTo(-1);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> forwarder.listener("web").activeConnections() == 0);
            forwarder.captures().stop("web");
            List<Path> files = forwarder.captures().files();
            assertThat(files).hasSize(1);

            Map<String, byte[]> flows = PcapReader.payloadByFlow(PcapReader.read(files.get(0)));
            assertThat(flows).hasSize(4); // client->forwarder and forwarder->backend, each way
            byte[] first64KiB = Arrays.copyOf(data, 64 * 1024);
            for (Map.Entry<String, byte[]> flow : flows.entrySet()) {
                assertThat(flow.getValue()).as(flow.getKey()).hasSize(64 * 1024).isEqualTo(first64KiB);
            }
        }
    }

    @Test
    void captureStartedOnALiveConnectionSeesItsLaterBytesAndStopsCleanly() throws Exception {
        try (Forwarder forwarder = Forwarder.start(config("mode = off"))) {
            try (Socket socket = connect(forwarder)) {
                assertThat(exchange(socket, ascii("before\n"))).isEqualTo(ascii("before\n"));

                forwarder.captures().start(forwarder.listener("web"), CaptureSettings.OFF.withMode(CaptureMode.PCAP)
                        .withMaxBytes(1 << 20).withDir(dir));
                assertThat(exchange(socket, ascii("during\n"))).isEqualTo(ascii("during\n"));
                assertThat(forwarder.captures().stop("web")).isTrue();
                List<Path> files = forwarder.captures().files();

                assertThat(exchange(socket, ascii("after\n"))).as("relays on after the capture stopped")
                        .isEqualTo(ascii("after\n"));
                assertThat(files).hasSize(1);
                Map<String, byte[]> flows = PcapReader.payloadByFlow(PcapReader.read(files.get(0)));
                assertThat(flows).hasSize(4);
                flows.values().forEach(bytes -> assertThat(new String(bytes, StandardCharsets.US_ASCII))
                        .isEqualTo("during\n"));
            }
        }
    }

    @Test
    void applyFollowsEachListenersCaptureConfig() throws Exception {
        try (Forwarder forwarder = Forwarder.start(config("mode = off"))) {
            assertThat(forwarder.captures().active()).isEmpty();

            forwarder.apply(config("mode = hexdump, max-bytes = 4 KiB"));
            assertThat(forwarder.captures().active()).containsOnlyKeys("web");
            assertThat(forwarder.captures().settings("web").maxBytes()).isEqualTo(4096);

            forwarder.apply(config("mode = off"));
            assertThat(forwarder.captures().active()).isEmpty();
        }
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    static String sha256(byte[] data) throws Exception {
        return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
    }
}
