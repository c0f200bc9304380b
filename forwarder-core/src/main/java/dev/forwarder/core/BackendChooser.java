package dev.forwarder.core;

import java.net.SocketAddress;
import java.util.List;

/**
 * Chooses the backend for a new connection and hears how that choice went.
 *
 * <p>Every call happens on the connection's event loop and must neither block nor take locks. Every
 * non-null {@link #choose} (and every backend handed to a {@link Waiter}) is matched by exactly one later call of
 * {@link #connectFailed}, {@link #released} or {@link #abandoned} for that backend, so a chooser can count active
 * connections from the moment it picks. Only {@link #connectFailed} speaks against the backend.
 */
public interface BackendChooser {

    /**
     * How a new connection tries to reach the backends of this chooser: read once per connection, at accept, so a
     * chooser whose settings change (a reload) swaps the value and new connections follow it.
     *
     * @return the policy, or {@code null} to use the one the listener was bound with
     */
    default ConnectPolicy connectPolicy() {
        return null;
    }

    /**
     * Handlers for the backend side of each new connection (TLS origination, PROXY-protocol send, fault
     * injection), added in front of the relay's backend handler before the connect; {@code null} for none.
     */
    default ConnectionHandlers backendHandlers() {
        return null;
    }

    /**
     * Picks a backend for a connection from {@code client}.
     *
     * @param client the client's address
     * @param tried the backends this connection already failed to reach, in order; a chooser should avoid them
     * @return the backend, or {@code null} when none is available
     */
    Backend choose(SocketAddress client, List<Backend> tried);

    /**
     * As {@link #choose(SocketAddress, List)}, noting in {@code note} what the choice was based on (the strategy and
     * what it compared). The relay calls this one; a chooser that has nothing to say need not override it.
     */
    default Backend choose(SocketAddress client, List<Backend> tried, ChoiceNote note) {
        return choose(client, tried);
    }

    /** The connect to a chosen backend succeeded; the connection now relays until {@link #released}. */
    default void connected(Backend backend) {
    }

    /**
     * The connect to a chosen backend failed: it refused, timed out or was unreachable. Ends the pick. Never called
     * for a connect forwarder gave up itself (see {@link #abandoned}).
     */
    default void connectFailed(Backend backend, Throwable cause) {
    }

    /** A connection that had {@link #connected} to {@code backend} has ended. Ends the pick. */
    default void released(Backend backend) {
    }

    /**
     * A pick ended with no outcome for the backend: forwarder itself gave it up before the connect finished (the
     * client left or reset, the idle timeout or the connect deadline ran out, the listener shut down). Ends the
     * pick; counts neither as a success nor as a failure of the backend.
     */
    default void abandoned(Backend backend) {
    }

    /**
     * {@link #choose} returned {@code null}, and the connection may wait up to its queue timeout. A chooser that
     * expects a backend to free up (every backend is at its connection limit) keeps {@code waiter} and calls
     * {@link Waiter#wake} when one is free.
     *
     * @return {@code null} if the chooser will wake the waiter; otherwise why the client is closed now:
     *     {@link CloseReason#NO_BACKEND} (nothing to wait for) or {@link CloseReason#QUEUE_FULL}
     */
    default CloseReason awaitBackend(Waiter waiter) {
        return CloseReason.NO_BACKEND;
    }

    /**
     * A waiter accepted by {@link #awaitBackend} stopped waiting before it was woken (its client left, its queue
     * timeout ran out): the chooser forgets it now. Called on the connection's event loop, at most once per
     * {@code awaitBackend}.
     */
    default void cancelWait(Waiter waiter) {
    }
}
