package dev.forwarder.app.capture;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The queue between the event loops and the writer: bounded, never waits, counts what it drops, keeps ends. */
class CaptureQueueTest {

    /** A sink whose writer is stuck until released: a terminal nobody reads. */
    private static final class StuckSink implements CaptureSink {
        final CountDownLatch release = new CountDownLatch(1);
        final List<CaptureEvent> written = new CopyOnWriteArrayList<>();
        final AtomicLong droppedEvents = new AtomicLong();
        final AtomicLong droppedBytes = new AtomicLong();
        volatile boolean closed;

        @Override
        public void write(CaptureEvent event) {
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            written.add(event);
        }

        @Override
        public void flush() {
        }

        @Override
        public void dropped(long events, long bytes) {
            droppedEvents.addAndGet(events);
            droppedBytes.addAndGet(bytes);
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void aStuckWriterMakesTheQueueDropChunksWithoutWaitingButKeepsEnds() {
        StuckSink sink = new StuckSink();
        CaptureQueue queue = new CaptureQueue("test", sink, 1 << 20);
        CapturedConnection connection = new CapturedConnection("1", "web", System.nanoTime());
        Legs legs = new Legs(new InetSocketAddress("127.0.0.1", 1), new InetSocketAddress("127.0.0.1", 2), null, null);

        long started = System.nanoTime();
        int chunks = 1000;
        for (int i = 0; i < chunks; i++) {
            queue.offer(new CaptureEvent.Chunk(connection, System.nanoTime(), true, i * 16384L, 16384,
                    new byte[16384], legs));
        }
        queue.offer(new CaptureEvent.End(connection, System.nanoTime(), null, 0, 0, legs));
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);

        assertThat(tookMillis).as("1000 offers against a stuck writer").isLessThan(2000);
        assertThat(queue.dropped()).isBetween(900L, 999L);
        sink.release.countDown();
        queue.close();

        assertThat(sink.closed).isTrue();
        assertThat(sink.written.get(sink.written.size() - 1)).isInstanceOf(CaptureEvent.End.class);
        assertThat(sink.written).hasSize((int) (chunks - queue.dropped()) + 1);
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.droppedEvents.get() == queue.dropped());
        assertThat(sink.droppedBytes.get()).isEqualTo(queue.dropped() * 16384);
    }
}
