package dev.forwarder.core;

/**
 * A connection waiting for a backend to become free (see {@link BackendChooser#awaitBackend}). Its one method is
 * thread-safe and cheap: the chooser may call it from any thread.
 */
public interface Waiter {

    /**
     * Hands the waiting connection a backend, or asks it to choose again, on its own event loop.
     *
     * @param reserved a backend whose connection slot the chooser has already taken for this waiter (a pick, as if
     *     {@link BackendChooser#choose} had returned it: it ends with exactly one outcome), or {@code null} to ask
     *     the connection to call {@link BackendChooser#choose} again
     * @return {@code false} when it no longer waits (it timed out or its client left): the waiter took nothing, so
     *     the chooser still holds {@code reserved} and should offer it to another waiter or free it
     */
    boolean wake(Backend reserved);
}
