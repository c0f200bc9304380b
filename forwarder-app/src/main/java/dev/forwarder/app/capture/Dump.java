package dev.forwarder.app.capture;

import dev.forwarder.core.BoundListener;
import dev.forwarder.core.ConnectionObserver;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;

/**
 * What {@code run --dump} attaches to every listener: each chunk both ways in {@code hexdump -C} layout
 * ({@link DumpMode#FULL}), protocol summaries and a timeline per connection, printed on {@code out} by one writer
 * thread. The event loops only copy bytes into a queue bounded at 16 MiB; when the writer (a slow terminal) falls
 * behind, chunks are dropped and a line says how many, and the relay never waits.
 */
public final class Dump implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Dump.class);

    /** Everything queued for the terminal at most: a burst beyond it is dropped, not buffered. */
    static final long QUEUE_BOUND = CaptureQueue.DEFAULT_BOUND;

    private final CaptureQueue queue;
    private final TrafficRecorder recorder;
    private final Timeline timeline;
    // Guarded by this: attach and detach run at start and on reloads.
    private final Map<BoundListener, AutoCloseable> attached = new HashMap<>();

    private Dump(DumpMode mode, PrintStream out) {
        this.queue = new CaptureQueue("dump", new TextSink(mode, out::print, out::flush), QUEUE_BOUND);
        this.recorder = new TrafficRecorder(queue, Long.MAX_VALUE, true);
        this.timeline = new Timeline(recorder);
    }

    /** A dump printed on {@code out}. */
    public static Dump to(DumpMode mode, PrintStream out) {
        return new Dump(mode, out);
    }

    /** The timeline's connection observer, for every listener's observers. */
    public ConnectionObserver observer() {
        return timeline;
    }

    /** Shows {@code listener}'s traffic from now on, open connections included. Not on an event loop. */
    public synchronized void attach(BoundListener listener) {
        if (!attached.containsKey(listener)) {
            attached.put(listener, listener.observeTraffic(connection -> true, recorder));
        }
    }

    /** Stops showing {@code listener}'s traffic. */
    public synchronized void detach(BoundListener listener) {
        AutoCloseable handle = attached.remove(listener);
        if (handle != null) {
            try {
                handle.close();
            } catch (Exception e) {
                // The relay stopped first: its connections are gone, and so is what there was to detach from.
                log.debug("dump detach failed listener={} error=\"{}\"", listener.name(), e.toString());
            }
        }
    }

    /** Chunks dropped so far because the output could not keep up. */
    public long dropped() {
        return queue.dropped();
    }

    /** Prints what is still queued and stops the writer thread. */
    @Override
    public synchronized void close() {
        for (BoundListener listener : Map.copyOf(attached).keySet()) {
            detach(listener);
        }
        queue.close();
    }
}
