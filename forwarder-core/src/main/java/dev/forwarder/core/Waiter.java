package dev.forwarder.core;

/**
 * A connection waiting for a backend to become free (see {@link BackendChooser#awaitBackend}). Its one method is
 * thread-safe and cheap: the chooser may call it from any thread.
 */
public interface Waiter {

    /**
     * Asks the connection to choose again, on its own event loop.
     *
     * @return {@code false} when it no longer waits (it timed out or its client left), so the chooser should wake
     *     another waiter instead
     */
    boolean wake();
}
