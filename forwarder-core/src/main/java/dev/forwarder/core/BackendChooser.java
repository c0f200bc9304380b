package dev.forwarder.core;

import java.net.SocketAddress;
import java.util.List;

/**
 * Chooses the backend for a new connection and hears how that choice went.
 *
 * <p>Every call happens on the connection's event loop and must neither block nor take locks. Every
 * non-null {@link #choose} is matched by exactly one later call of {@link #connectFailed} or
 * {@link #released} for that backend, so a chooser can count active connections from the moment it picks.
 */
public interface BackendChooser {

    /**
     * Picks a backend for a connection from {@code client}.
     *
     * @param client the client's address
     * @param tried the backends this connection already failed to reach, in order; a chooser should avoid them
     * @return the backend, or {@code null} when none is available
     */
    Backend choose(SocketAddress client, List<Backend> tried);

    /** The connect to a chosen backend succeeded; the connection now relays until {@link #released}. */
    default void connected(Backend backend) {
    }

    /** The connect to a chosen backend failed (refused, timed out, unreachable). Ends the pick. */
    default void connectFailed(Backend backend, Throwable cause) {
    }

    /** A connection that had {@link #connected} to {@code backend} has ended. Ends the pick. */
    default void released(Backend backend) {
    }

    /**
     * {@link #choose} returned {@code null}, and the connection may wait up to its queue timeout. A chooser that
     * expects a backend to free up (every backend is at its connection limit) keeps {@code waiter} and calls
     * {@link Waiter#wake()} when one may be free; the connection then calls {@link #choose} again.
     *
     * @return {@code true} if the chooser will wake the waiter; {@code false} to close the client now
     */
    default boolean awaitBackend(Waiter waiter) {
        return false;
    }
}
