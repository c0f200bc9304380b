package dev.forwarder.balancer;

import dev.forwarder.core.Backend;
import dev.forwarder.core.BackendChooser;
import dev.forwarder.core.Waiter;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A waiting connection as the relay keeps one: a wake-up and its leaving race on one compare-and-set, so exactly
 * one of them takes it out of the queue. It records what it was woken with.
 */
final class QueuedClient implements Waiter {

    private static final Object WAITING = new Object();
    private static final Object LEFT = new Object();
    private static final Object NOTHING = new Object();

    private final AtomicReference<Object> outcome = new AtomicReference<>(WAITING);
    private final AtomicInteger wakes = new AtomicInteger();

    @Override
    public boolean wake(Backend reserved) {
        wakes.incrementAndGet();
        return outcome.compareAndSet(WAITING, reserved == null ? NOTHING : reserved);
    }

    /** Leaves the queue (its client went, or its queue timeout fired); false when a wake-up came first. */
    boolean leave(BackendChooser chooser) {
        if (!outcome.compareAndSet(WAITING, LEFT)) {
            return false;
        }
        chooser.cancelWait(this);
        return true;
    }

    /** Whether a wake-up took it out of the queue, with a backend or without. */
    boolean woken() {
        Object now = outcome.get();
        return now != WAITING && now != LEFT;
    }

    /** The backend a wake-up handed it, or null. */
    Backend reserved() {
        return outcome.get() instanceof Backend backend ? backend : null;
    }

    /** How often anyone tried to wake it, including tries after it stopped waiting. */
    int wakes() {
        return wakes.get();
    }
}
