package dev.forwarder.app.capture;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Events from the event loops to one writer thread, bounded in bytes: the event loops never wait and never take a
 * lock (a lock-free queue and two atomic counters); when more than the bound waits, chunks are dropped and counted,
 * and the sink is told how many (timeline and end events, a few bytes each, always pass). One writer per queue, so
 * what it writes for one event (a chunk's whole dump) never interleaves with another's.
 */
final class CaptureQueue implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CaptureQueue.class);
    static final long DEFAULT_BOUND = 16L << 20;

    private final ConcurrentLinkedQueue<CaptureEvent> events = new ConcurrentLinkedQueue<>();
    private final AtomicLong queued = new AtomicLong();
    private final AtomicLong droppedEvents = new AtomicLong();
    private final AtomicLong droppedBytes = new AtomicLong();
    private final AtomicLong droppedTotal = new AtomicLong();
    private final AtomicBoolean parked = new AtomicBoolean();
    private final long bound;
    private final CaptureSink sink;
    private final Thread writer;
    private volatile boolean closing;
    // Writer thread only: drops and write failures are reported at most once a second, with their counts.
    private long lastDropReport = System.nanoTime() - REPORT_EVERY;
    private long lastFailureReport = System.nanoTime() - REPORT_EVERY;
    private long failures;
    private static final long REPORT_EVERY = TimeUnit.SECONDS.toNanos(1);

    CaptureQueue(String name, CaptureSink sink, long bound) {
        this.sink = sink;
        this.bound = bound;
        this.writer = new Thread(this::run, "forwarder-capture-" + name);
        writer.setDaemon(true);
        writer.start();
    }

    /** On an event loop: queues {@code event}, or drops it when the queue is full. Never blocks. */
    void offer(CaptureEvent event) {
        long size = event.size();
        if (event instanceof CaptureEvent.Chunk chunk && queued.addAndGet(size) > bound) {
            queued.addAndGet(-size);
            droppedEvents.incrementAndGet();
            droppedTotal.incrementAndGet();
            droppedBytes.addAndGet(chunk.data().length);
            return;
        }
        if (!(event instanceof CaptureEvent.Chunk)) {
            queued.addAndGet(size);
        }
        events.offer(event);
        if (parked.get() && parked.compareAndSet(true, false)) {
            LockSupport.unpark(writer);
        }
    }

    /**
     * On an event loop: whether a chunk of {@code size} bytes would fit now (a hint, not a reservation; {@link #offer}
     * still checks), so that a caller can skip copying what would be dropped.
     */
    boolean hasRoom(long size) {
        return queued.get() + size <= bound;
    }

    /** Chunks dropped so far because the writer fell behind. */
    long dropped() {
        return droppedTotal.get();
    }

    private void run() {
        while (true) {
            CaptureEvent event = events.poll();
            if (event != null) {
                queued.addAndGet(-event.size());
                try {
                    reportDrops(false);
                    sink.write(event);
                } catch (IOException | RuntimeException e) {
                    failed(e);
                }
                continue;
            }
            try {
                reportDrops(closing);
                sink.flush();
            } catch (IOException | RuntimeException e) {
                failed(e);
            }
            if (closing && events.isEmpty()) {
                break;
            }
            parked.set(true);
            if (events.isEmpty() && !closing) {
                // Bounded: a wake-up lost to the race between the check and the park costs 100 ms at most.
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(100));
            }
            parked.set(false);
        }
        try {
            sink.close();
        } catch (IOException e) {
            log.warn("capture close failed writer={} error=\"{}\"", writer.getName(), e.toString());
        }
    }

    private void failed(Exception e) {
        failures++;
        long now = System.nanoTime();
        if (now - lastFailureReport >= REPORT_EVERY) {
            lastFailureReport = now;
            log.warn("capture write failed writer={} failures={} error=\"{}\"", writer.getName(), failures,
                    e.toString());
            failures = 0;
        }
    }

    private void reportDrops(boolean now) throws IOException {
        long time = System.nanoTime();
        if (droppedEvents.get() > 0 && (now || time - lastDropReport >= REPORT_EVERY)) {
            lastDropReport = time;
            long n = droppedEvents.getAndSet(0);
            long bytes = droppedBytes.getAndSet(0);
            sink.dropped(n, bytes);
        }
    }

    /** Like {@link #close()} without waiting: the writer writes out what is queued, closes the sink and ends. */
    void finish() {
        closing = true;
        LockSupport.unpark(writer);
    }

    /** Writes out what is queued, closes the sink and ends the writer thread; waits for it up to 10 s. */
    @Override
    public void close() {
        closing = true;
        LockSupport.unpark(writer);
        try {
            writer.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
