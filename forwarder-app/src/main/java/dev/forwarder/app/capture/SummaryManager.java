package dev.forwarder.app.capture;

import dev.forwarder.core.BoundListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashMap;
import java.util.Map;

/**
 * {@code capture.summary} per listener: on attaches a {@link SummaryObserver} to the listener's new connections (and
 * to open ones, which, seen mid-stream, get none), off takes it away. A listener with it off has no observer, so its
 * connections relay exactly as without it. Any thread but the relay's event loops.
 */
public final class SummaryManager implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SummaryManager.class);

    // Guarded by this: changed at start and on reloads only.
    private final Map<String, AutoCloseable> on = new HashMap<>();

    /** Turns summaries on or off for {@code listener} (a listener bound anew replaces the old one's). */
    public synchronized void set(BoundListener listener, boolean summaries) {
        stop(listener.name());
        if (summaries) {
            on.put(listener.name(), listener.observeTraffic(connection -> true, new SummaryObserver()));
        }
    }

    /** Turns summaries off for the listener named {@code listener}, if they were on. */
    public synchronized void stop(String listener) {
        AutoCloseable handle = on.remove(listener);
        if (handle != null) {
            try {
                handle.close();
            } catch (Exception e) {
                // The listener stopped first: its connections are gone, and so is what there was to detach from.
                log.debug("summary detach failed listener={} error=\"{}\"", listener, e.toString());
            }
        }
    }

    /** Whether summaries are on for {@code listener}. */
    public synchronized boolean isOn(String listener) {
        return on.containsKey(listener);
    }

    @Override
    public synchronized void close() {
        for (String listener : Map.copyOf(on).keySet()) {
            stop(listener);
        }
    }
}
