package dev.forwarder.core.relay;

import dev.forwarder.core.CloseReason;
import dev.forwarder.core.ConnectPolicy;
import dev.forwarder.core.Transport;
import dev.forwarder.core.testing.BlockingServer;
import dev.forwarder.core.testing.FixedChooser;
import dev.forwarder.core.testing.LeakDetectionExtension;
import dev.forwarder.core.testing.RecordingObserver;
import io.netty.handler.ssl.SslProvider;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Hostile TLS records against a terminating listener, on both engines: random bytes, a real ClientHello cut short,
 * records claiming up to 64 KiB (beyond TLS's 16 KiB + 2 KiB), a ClientHello with random bytes flipped, random
 * content types and versions, a good ClientHello followed by garbage, each with or without a FIN. Whatever comes,
 * the connection ends with one of the expected reasons (never {@code error}, which an escaped exception would give),
 * no backend is connected for it, nothing leaks (the paranoid detector), and a good handshake still works
 * throughout. Seeded: {@code -Dfuzz.seed=N} replays a run, {@code -Dfuzz.tries=N} runs longer.
 */
class TlsRecordFuzzTest {

    private static final Set<CloseReason> EXPECTED = EnumSet.of(CloseReason.TLS_HANDSHAKE_FAILED,
            CloseReason.CLIENT_RESET);

    @TempDir
    Path dir;

    @ParameterizedTest
    @EnumSource(value = SslProvider.class, names = {"OPENSSL", "JDK"})
    void noRecordBreaksTheListener(SslProvider provider) throws Exception {
        long seed = Long.getLong("fuzz.seed", System.nanoTime());
        int tries = Integer.getInteger("fuzz.tries", 150);
        Random random = new Random(seed);
        TlsFixture tls = new TlsFixture(dir, provider);
        byte[] hello = tls.clientHello();
        LeakDetectionExtension.collectLeaks();
        RecordingObserver observer = new RecordingObserver();
        int good = 0;
        try (BlockingServer backend = BlockingServer.echo();
             RelayFixture relay = new RelayFixture(Transport.AUTO, RelayFixture.settings(),
                     new FixedChooser(backend.address()), observer, ConnectPolicy.ofTries(1),
                     new dev.forwarder.core.tls.TlsTermination("test", tls.server, "test", java.util.Map.of(),
                             java.util.Map.of(), 1_000))) {
            for (int i = 0; i < tries; i++) {
                send(relay, hostile(random, hello), random.nextInt(10) > 0);
                if (i % 50 == 49) {
                    assertThat(servesAGoodHandshake(tls, relay)).as("seed %d, try %d", seed, i).isTrue();
                    good++;
                }
            }
            int expected = tries + good;
            await().atMost(Duration.ofSeconds(20)).until(() -> observer.closed.size() == expected);
            assertThat(observer.closed).as("seed %d", seed).filteredOn(c -> c.bytesUp() == 0)
                    .allSatisfy(c -> assertThat(c.reason()).isIn(EXPECTED));
            assertThat(observer.tries).as("only the good handshakes reach the backend").hasSize(good);
            assertThat(backend.accepted()).isEqualTo(good);
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
                // The listener may reset it, or close before all was written: either ends it.
            }
        }
    }

    private static boolean servesAGoodHandshake(TlsFixture tls, RelayFixture relay) throws IOException {
        try (SSLSocket client = tls.connect(relay.listener.localAddress())) {
            client.getOutputStream().write("ok".getBytes(StandardCharsets.US_ASCII));
            return new String(client.getInputStream().readNBytes(2), StandardCharsets.US_ASCII).equals("ok");
        }
    }

    private static byte[] hostile(Random random, byte[] hello) {
        switch (random.nextInt(6)) {
            case 0 -> {
                byte[] bytes = new byte[1 + random.nextInt(600)];
                random.nextBytes(bytes);
                return bytes;
            }
            case 1 -> {
                return Arrays.copyOf(hello, random.nextInt(hello.length));
            }
            case 2 -> {
                // A handshake record claiming more than a record may hold, up to 64 KiB, with some of it sent.
                int length = 16384 + 2048 + 1 + random.nextInt(65535 - 16384 - 2048);
                byte[] record = new byte[5 + random.nextInt(4096)];
                random.nextBytes(record);
                record[0] = 22;
                record[1] = 3;
                record[2] = (byte) random.nextInt(5);
                record[3] = (byte) (length >>> 8);
                record[4] = (byte) length;
                return record;
            }
            case 3 -> {
                byte[] flipped = hello.clone();
                for (int n = 1 + random.nextInt(8); n > 0; n--) {
                    flipped[random.nextInt(flipped.length)] ^= (byte) (1 << random.nextInt(8));
                }
                return flipped;
            }
            case 4 -> {
                byte[] record = new byte[5 + random.nextInt(300)];
                random.nextBytes(record);
                record[0] = (byte) (20 + random.nextInt(5));
                record[1] = (byte) random.nextInt(4);
                int length = record.length - 5;
                record[3] = (byte) (length >>> 8);
                record[4] = (byte) length;
                return record;
            }
            default -> {
                byte[] garbage = new byte[1 + random.nextInt(300)];
                random.nextBytes(garbage);
                byte[] both = Arrays.copyOf(hello, hello.length + garbage.length);
                System.arraycopy(garbage, 0, both, hello.length, garbage.length);
                return both;
            }
        }
    }
}
