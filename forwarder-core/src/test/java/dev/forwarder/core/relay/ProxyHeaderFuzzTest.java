package dev.forwarder.core.relay;

import dev.forwarder.core.CloseReason;
import dev.forwarder.core.Transport;
import dev.forwarder.core.proxy.ProxyProtocol;
import dev.forwarder.core.testing.BlockingServer;
import dev.forwarder.core.testing.LeakDetectionExtension;
import dev.forwarder.core.testing.RecordingObserver;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Hostile PROXY headers against one listener with {@code accept-proxy = any}: random bytes, valid headers cut
 * short, oversized v2 lengths, v2 headers with random version/command/family bytes, v1 lines with random fields,
 * each with or without a FIN. Whatever comes, the connection ends with one of the expected reasons (never
 * {@code error}, which an escaped exception would give), nothing leaks (the paranoid detector), and the listener
 * keeps relaying a good header throughout. Seeded: {@code -Dfuzz.seed=N} replays a run, {@code -Dfuzz.tries=N}
 * runs longer.
 */
class ProxyHeaderFuzzTest {

    private static final Set<CloseReason> EXPECTED = EnumSet.of(CloseReason.PROXY_HEADER_INVALID,
            CloseReason.PROXY_HEADER_TIMEOUT, CloseReason.CLIENT_CLOSED, CloseReason.BACKEND_CLOSED,
            CloseReason.CLIENT_RESET);
    private static final String V1_CHARS = "0123456789abcdef.:%- ";

    @Test
    void noHeaderBreaksTheListener() throws Exception {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        int tries = Integer.getInteger("fuzz.tries", 300);
        Random random = new Random(seed);
        LeakDetectionExtension.collectLeaks();
        RecordingObserver observer = new RecordingObserver();
        int connections = 0;
        try (BlockingServer backend = BlockingServer.echo();
             RelayFixture relay = new RelayFixture(Transport.AUTO, RelayFixture.settings()
                     .withAcceptProxy(ProxyProtocol.ANY, Duration.ofMillis(100)),
                     new ProxyProtocolTest.Recording(backend.address(), null), observer, 1)) {
            for (int i = 0; i < tries; i++) {
                send(relay, hostile(random), random.nextInt(10) > 0);
                connections++;
                if (i % 50 == 49) {
                    assertThat(servesAGoodHeader(relay)).as("seed %d, try %d", seed, i).isTrue();
                    connections++;
                }
            }
            int expected = connections;
            await().atMost(Duration.ofSeconds(10)).until(() -> observer.closed.size() == expected);
            assertThat(observer.closed).as("seed %d", seed).allSatisfy(c -> assertThat(c.reason()).isIn(EXPECTED));
        }
        assertThat(LeakDetectionExtension.collectLeaks()).as("seed %d", seed).isEmpty();
    }

    private static void send(RelayFixture relay, byte[] bytes, boolean fin) throws IOException {
        try (Socket socket = relay.connect()) {
            socket.setSoTimeout(5_000);
            try {
                socket.getOutputStream().write(bytes);
                if (fin) {
                    socket.shutdownOutput();
                }
                socket.getInputStream().transferTo(OutputStream.nullOutputStream());
            } catch (IOException reset) {
                // The relay may reset it, or close before all was written: either ends it.
            }
        }
    }

    private static boolean servesAGoodHeader(RelayFixture relay) throws IOException {
        try (Socket socket = relay.connect()) {
            socket.getOutputStream().write(ProxyProtocolTest.concat(ProxyProtocolTest.V2, "ok"));
            socket.shutdownOutput();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).equals("ok");
        }
    }

    private static byte[] hostile(Random random) {
        switch (random.nextInt(5)) {
            case 0 -> {
                byte[] bytes = new byte[random.nextInt(301)];
                random.nextBytes(bytes);
                return bytes;
            }
            case 1 -> {
                byte[] header = random.nextBoolean() ? ProxyProtocolTest.V1 : ProxyProtocolTest.V2;
                return Arrays.copyOf(header, random.nextInt(header.length));
            }
            case 2 -> {
                // A v2 header claiming more than the 2 KiB of TLVs allowed, up to 64 KiB.
                int length = 216 + 2049 + random.nextInt(65535 - 216 - 2049 + 1);
                byte[] v2 = Arrays.copyOf(ProxyProtocolTest.V2, 16 + random.nextInt(512));
                v2[14] = (byte) (length >>> 8);
                v2[15] = (byte) length;
                return v2;
            }
            case 3 -> {
                byte[] v2 = ProxyProtocolTest.V2.clone();
                for (int i = 12; i < 16; i++) {
                    v2[i] = (byte) random.nextInt(256);
                }
                return v2;
            }
            default -> {
                String[] protocols = {"TCP4", "TCP6", "UNKNOWN", "UDP4", "tcp4", ""};
                String line = "PROXY " + protocols[random.nextInt(protocols.length)] + " " + text(random, V1_CHARS, 45)
                        + " " + text(random, "0123456789.:", 45) + " " + text(random, "0123456789", 7) + " "
                        + text(random, "0123456789-", 7) + "\r\npayload";
                return line.getBytes(StandardCharsets.US_ASCII);
            }
        }
    }

    private static String text(Random random, String chars, int max) {
        StringBuilder out = new StringBuilder();
        for (int i = random.nextInt(max + 1); i > 0; i--) {
            out.append(chars.charAt(random.nextInt(chars.length())));
        }
        return out.toString();
    }
}
