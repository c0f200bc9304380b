package dev.forwarder.core.relay;

import dev.forwarder.core.Transport;
import dev.forwarder.core.testing.BlockingServer;
import dev.forwarder.core.testing.FixedChooser;
import dev.forwarder.core.testing.RecordingObserver;
import dev.forwarder.core.testing.Streams;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class RelayBackPressureTest {

    private static final long HUGE = 256L * 1024 * 1024;
    /** The high water mark (64 KiB) plus one read loop of the backend (16 reads of at most 64 KiB), rounded up. */
    private static final long QUEUE_BOUND = 2L * 1024 * 1024;

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING", "NIO"})
    void clientThatReadsNothingStopsTheBackendAndKeepsTheQueueBounded(Transport transport) throws Exception {
        AtomicLong written = new AtomicLong();
        try (BlockingServer backend = BlockingServer.start(socket -> {
            var out = socket.getOutputStream();
            byte[] block = new byte[64 * 1024];
            new java.util.Random(3).nextBytes(block);
            for (long left = HUGE; left > 0; left -= block.length) {
                out.write(block);
                written.addAndGet(block.length);
            }
        });
             RelayFixture relay = new RelayFixture(transport, RelayFixture.settings(),
                     new FixedChooser(backend.address()), new RecordingObserver(), 1);
             Socket client = relay.connect()) {
            // The client reads nothing. The backend must end up blocked: its count stops moving.
            AtomicLong maxQueued = new AtomicLong();
            StallDetector stall = new StallDetector(written, Duration.ofMillis(500));
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(25)).until(() -> {
                maxQueued.accumulateAndGet(relay.listener.pendingWriteBytes(), Math::max);
                return stall.stalled();
            });
            assertThat(written.get()).as("backend bytes accepted while the client read nothing")
                    .isGreaterThan(0).isLessThan(HUGE / 4);
            assertThat(maxQueued.get()).as("bytes queued inside forwarder").isLessThanOrEqualTo(QUEUE_BOUND);

            // Back-pressure only paused the stream: everything arrives once the client reads.
            Streams.Drained drained = Streams.drain(client.getInputStream());
            assertThat(drained.bytes()).isEqualTo(HUGE);
        }
    }

    /** True once a counter has not moved for a while; polled from one thread. */
    private static final class StallDetector {
        private final AtomicLong counter;
        private final long quietNanos;
        private long lastValue = -1;
        private long lastChange = System.nanoTime();

        StallDetector(AtomicLong counter, Duration quiet) {
            this.counter = counter;
            this.quietNanos = quiet.toNanos();
        }

        boolean stalled() {
            long value = counter.get();
            long now = System.nanoTime();
            if (value != lastValue) {
                lastValue = value;
                lastChange = now;
                return false;
            }
            return value > 0 && now - lastChange >= quietNanos;
        }
    }
}
