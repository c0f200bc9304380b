package dev.forwarder.it.chaos;

import dev.forwarder.app.Forwarder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * 200 concurrent connections, each sending seeded random bytes in random-sized writes (1 byte to 64 KiB), then a
 * half-close, through forwarder to a socat echo that honours half-close: every stream comes back whole, SHA-256
 * equal. Half of the streams go through a listener that splices (the default), half through one that copies
 * ({@code splice = off}), at the same time. CI: 200 x 2 MiB; long ({@code -Dchaos.long=true}): 200 x 8 MiB.
 */
class HalfCloseIntegrityIT {

    private static final int STREAMS = 200;
    private static final long BYTES = Chaos.pick(2L, 8L) * 1024 * 1024;
    private static final int MAX_WRITE = 64 * 1024;
    private static final long TIMEOUT_MILLIS = Chaos.pick(120_000L, 600_000L);

    private static int port;
    private static GenericContainer<?> echo;

    @BeforeAll
    static void startEcho() throws Exception {
        port = Chaos.freePort();
        echo = Chaos.echo(port);
        echo.start();
    }

    @AfterAll
    static void stopEcho() {
        if (echo != null) {
            Chaos.stopQuietly(echo);
        }
    }

    @Test
    void everyHalfClosedStreamComesBackWhole() throws Exception {
        Figures figures = new Figures("half-close-integrity");
        String hocon = """
                forwarder {
                  shutdown-timeout = 2s
                  listeners {
                    spliced { bind = "127.0.0.1:0", pool = echo }
                    copied { bind = "127.0.0.1:0", pool = echo, splice = off }
                  }
                  pools { echo { backends = [ "127.0.0.1:%d" ], connect-timeout = 5s } }
                }
                """.formatted(port);
        ExecutorService threads = Executors.newCachedThreadPool();
        try (Forwarder forwarder = Chaos.forwarder(hocon)) {
            long start = System.nanoTime();
            List<EchoStream> streams = new ArrayList<>();
            for (int i = 0; i < STREAMS; i++) {
                String listener = i % 2 == 0 ? "spliced" : "copied";
                streams.add(new EchoStream(BYTES, 1_000L + i, MAX_WRITE, 0)
                        .start(forwarder.listenerAddress(listener), threads, 60_000));
            }
            long deadline = System.nanoTime() + TIMEOUT_MILLIS * 1_000_000;
            List<EchoStream.Result> results = new ArrayList<>();
            for (EchoStream stream : streams) {
                results.add(stream.await(Math.max(1, (deadline - System.nanoTime()) / 1_000_000)));
            }
            long took = System.nanoTime() - start;
            List<EchoStream.Result> broken = results.stream().filter(r -> !r.intact()).toList();
            long bytesBack = results.stream().mapToLong(EchoStream.Result::received).sum();
            figures.put("streams", STREAMS).put("bytes_per_stream", BYTES).put("max_write", MAX_WRITE)
                    .put("intact", STREAMS - broken.size()).put("broken", broken.size())
                    .put("bytes_echoed", bytesBack).put("took_ms", Figures.ms(took))
                    .put("throughput_mib_s", String.format(java.util.Locale.ROOT, "%.1f",
                            2.0 * bytesBack / (1 << 20) / (took / 1e9)))
                    .put("first_broken", broken.isEmpty() ? "-" : broken.get(0));
            figures.done();
            assertThat(broken).as("streams that did not come back whole").isEmpty();
        } finally {
            threads.shutdownNow();
        }
    }
}
