package dev.forwarder.app.capture;

import dev.forwarder.core.BoundListener;
import io.netty.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One live tap ({@code GET /api/tap}): a {@link TapObserver} on the matching connections of some listeners, open ones
 * and new ones, a queue of {@value #QUEUE_BOUND} bytes at most, and a writer thread that formats what is queued (the
 * {@code --dump} layout or pcap) into a {@link TapOutput}. It ends at the first of: its {@code max-bytes} taken, its
 * duration over, its reader gone ({@link #end}); then it leaves every connection (which may splice again), writes
 * what is still queued, a last line in text, and ends the output. Started and ended on a thread that is not one of
 * the relay's event loops (the admin port's).
 */
public final class Tap {

    /** What one tap may hold in memory between the relay and its reader, in bytes. */
    static final long QUEUE_BOUND = 4L << 20;

    private static final Logger log = LoggerFactory.getLogger(Tap.class);

    private final long id;
    private final TapFilter filter;
    private final TapSettings settings;
    private final TapOutput out;
    private final Executor control;
    private final Taps owner;
    private final Instant started = Instant.now();
    private final long startedNanos = System.nanoTime();
    private final CaptureQueue queue;
    private final TapObserver observer;
    private final List<AutoCloseable> handles = new ArrayList<>();
    private final AtomicLong taken = new AtomicLong();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicBoolean endAsked = new AtomicBoolean();
    private final AtomicBoolean endedOnce = new AtomicBoolean();
    private volatile boolean ended;
    private volatile String reason;

    Tap(Taps owner, long id, List<BoundListener> listeners, TapFilter filter, TapSettings settings, TapOutput out,
            Executor control) {
        this.owner = owner;
        this.id = id;
        this.filter = filter;
        this.settings = settings;
        this.out = out;
        this.control = control;
        CaptureSink formatter = settings.format() == TapSettings.Format.PCAP
                ? new PcapSink(new PcapStream(out, Long.toString(id)))
                : new TextSink(DumpMode.FULL, text -> {
                    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
                    out.write(bytes, 0, bytes.length);
                }, out::flush);
        this.queue = new CaptureQueue("tap-" + id, new TapSink(formatter, this, out), QUEUE_BOUND);
        this.observer = new TapObserver(this, new TrafficRecorder(queue, Long.MAX_VALUE, false));
        for (BoundListener listener : listeners) {
            handles.add(listener.observeTraffic(filter, observer));
        }
        log.info("tap started id={} filter=\"{}\" format={} max_bytes={} seconds={}", id, filter,
                settings.format().label(), settings.maxBytes(), settings.duration().toSeconds());
    }

    public long id() {
        return id;
    }

    public TapFilter filter() {
        return filter;
    }

    public TapSettings settings() {
        return settings;
    }

    public Instant started() {
        return started;
    }

    /** Bytes of traffic taken into the tap so far. */
    public long takenBytes() {
        return taken.get();
    }

    /**
     * Bytes of matching traffic the tap did not stream because its reader was behind; while it runs, without the
     * bytes passing the connections it stands off right now ({@link #droppedBytesNow()}).
     */
    public long droppedBytes() {
        return dropped.get();
    }

    /**
     * {@link #droppedBytes()} with what passed the connections the tap stands off right now, asked of their event
     * loops (waits for them, up to a second each). Not on one of the relay's event loops.
     */
    public long droppedBytesNow() {
        long total = dropped.get();
        if (!ended) {
            for (Future<Long> unseen : observer.unseen(false)) {
                if (unseen.awaitUninterruptibly(1, TimeUnit.SECONDS) && unseen.isSuccess()) {
                    total += unseen.getNow();
                }
            }
        }
        return total;
    }

    /** Why it ended ({@code max-bytes}, {@code seconds}, {@code client-gone}, {@code shutdown}), or null. */
    public String endReason() {
        return reason;
    }

    boolean isEnded() {
        return ended;
    }

    TapObserver observer() {
        return observer;
    }

    /** On an event loop: whether {@code n} more bytes may be taken; asks for the end once the budget is spent. */
    boolean take(int n) {
        long before = taken.getAndAdd(n);
        if (before >= settings.maxBytes()) {
            taken.addAndGet(-n);
            endSoon("max-bytes");
            return false;
        }
        if (before + n >= settings.maxBytes()) {
            endSoon("max-bytes");
        }
        return true;
    }

    void dropped(long bytes) {
        if (bytes > 0) {
            dropped.addAndGet(bytes);
        }
    }

    private void endSoon(String why) {
        if (endAsked.compareAndSet(false, true)) {
            try {
                control.execute(() -> end(why));
            } catch (RejectedExecutionException shuttingDown) {
                // The admin port is closing: its channel's close ends this tap.
                endAsked.set(false);
            }
        }
    }

    /**
     * Ends the tap (idempotent): leaves every connection, counts what passed those it stood off, lets the writer
     * write out what is queued and end the output. Not on one of the relay's event loops.
     */
    public void end(String why) {
        if (!endedOnce.compareAndSet(false, true)) {
            return;
        }
        reason = why;
        ended = true;
        out.ending();
        for (AutoCloseable handle : handles) {
            try {
                handle.close();
            } catch (Exception e) {
                // The relay stopped first: its connections are gone, and so is what there was to leave.
                log.debug("tap detach failed id={} error=\"{}\"", id, e.toString());
            }
        }
        for (Future<?> counted : observer.unseen(true)) {
            counted.awaitUninterruptibly(1, TimeUnit.SECONDS);
        }
        queue.finish();
        owner.ended(this);
    }

    /** The last line of a text tap, and the log line of every tap, once the writer wrote everything out. */
    String summary() {
        return "tap ended id=" + id + " reason=" + reason + " taken_bytes=" + taken.get() + " dropped_bytes="
                + dropped.get() + " duration_ms=" + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
    }

    void finished() {
        log.info("{} filter=\"{}\" format={}", summary(), filter, settings.format().label());
    }
}
