package dev.forwarder.app.capture;

import dev.forwarder.core.BoundListener;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The live taps of one admin port: at most {@value #MAX} at once, each with an id; totals since start for
 * {@code /api/taps}.
 */
public final class Taps {

    /** Taps running at once at most; {@code GET /api/tap} answers 503 beyond. */
    public static final int MAX = 8;

    private final AtomicLong ids = new AtomicLong();
    private final AtomicLong startedTotal = new AtomicLong();
    private final AtomicLong droppedOfEnded = new AtomicLong();
    private final Map<Long, Tap> running = new ConcurrentSkipListMap<>();

    /** Whether {@value #MAX} taps run already. */
    public boolean full() {
        return running.size() >= MAX;
    }

    /**
     * Starts a tap on {@code listeners}' connections that {@code filter} accepts, streaming to {@code out};
     * {@code control} ends it (not one of the relay's event loops). The caller checks {@link #full()} first, on the
     * one thread that starts taps.
     */
    public Tap start(List<BoundListener> listeners, TapFilter filter, TapSettings settings, TapOutput out,
            Executor control) {
        long id = ids.incrementAndGet();
        Tap tap = new Tap(this, id, listeners, filter, settings, out, control);
        running.put(id, tap);
        startedTotal.incrementAndGet();
        return tap;
    }

    void ended(Tap tap) {
        if (running.remove(tap.id()) != null) {
            droppedOfEnded.addAndGet(tap.droppedBytes());
        }
    }

    /** The running taps, oldest first. */
    public List<Tap> running() {
        return List.copyOf(running.values());
    }

    /** Taps started since this admin port started. */
    public long startedTotal() {
        return startedTotal.get();
    }

    /** Bytes all taps, ended and running, did not stream ({@link Tap#droppedBytesNow()}). */
    public long droppedBytesTotal() {
        long total = droppedOfEnded.get();
        for (Tap tap : running.values()) {
            total += tap.droppedBytesNow();
        }
        return total;
    }

    /** Ends every running tap (the admin port is closing). */
    public void endAll() {
        for (Tap tap : running()) {
            tap.end("shutdown");
        }
    }
}
