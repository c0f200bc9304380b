package dev.forwarder.core;

/**
 * Hears what relayed connections do; the app binds it to metrics. Called on the connection's event loop, so
 * implementations must be quick, lock-free and must not allocate per call.
 */
public interface ConnectionObserver {

    /** Observes nothing. */
    ConnectionObserver NOOP = new ConnectionObserver() {
    };

    /** A client connection was accepted; no backend is chosen yet. */
    default void accepted(ConnectionInfo connection) {
    }

    /** The connection to the backend is established and relaying starts. */
    default void opened(ConnectionInfo connection) {
    }

    /** {@code bytes} were read from the client ({@code upstream}) or from the backend and passed on. */
    default void relayed(ConnectionInfo connection, boolean upstream, int bytes) {
    }

    /** The connection ended; {@link ConnectionInfo#closeReason()} says why. Called exactly once per accept. */
    default void closed(ConnectionInfo connection) {
    }
}
