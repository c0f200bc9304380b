package dev.forwarder.core;

import dev.forwarder.core.access.RejectReason;

import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * Hears what relayed connections do; the app binds it to metrics. Called on the connection's event loop, so
 * implementations must be quick, lock-free and must not allocate per call.
 */
public interface ConnectionObserver {

    /** Observes nothing. */
    ConnectionObserver NOOP = new ConnectionObserver() {
        @Override
        public boolean observesBytes() {
            return false;
        }
    };

    /**
     * One observer that tells each of {@code observers} everything, in order, and {@link #closed} in reverse order
     * (so the first, a listener's registry, hears the close last: whoever waits for the registry to empty finds the
     * metrics and the connection log done): the one place a listener's observers (registry, metrics, access log,
     * ...) are put together. Without any, {@link #NOOP}; with one, that one.
     */
    static ConnectionObserver compose(List<ConnectionObserver> observers) {
        List<ConnectionObserver> all = new ArrayList<>();
        for (ConnectionObserver observer : observers) {
            if (observer != null && observer != NOOP) {
                all.add(observer);
            }
        }
        return switch (all.size()) {
            case 0 -> NOOP;
            case 1 -> all.get(0);
            default -> new CompositeObserver(all);
        };
    }

    /**
     * Whether {@link #relayed} does anything: a composite calls it per read only for the observers that say so.
     * {@code true} unless overridden.
     */
    default boolean observesBytes() {
        return true;
    }

    /**
     * The observer the relay calls {@link #relayed} on, per read: this one, or for a composite the one observer of
     * bytes it holds (no loop, no extra call), or {@code null} when nobody observes bytes.
     */
    default ConnectionObserver bytesObserver() {
        return observesBytes() ? this : null;
    }

    /** A client connection was accepted; no backend is chosen yet. */
    default void accepted(ConnectionInfo connection) {
    }

    /**
     * One connect try to {@code backend} ended after {@code nanos} (from the start of that try): {@code established},
     * or refused, timed out or unreachable. A try the connection gave up itself (its client left, the connect
     * deadline cut it short) is not reported; like the chooser, it says nothing about the backend. When a try
     * connected, {@link ConnectionInfo#backend()} is that backend already, and every later {@link #relayed} follows;
     * bytes the client sent while it connected have been reported already ({@link ConnectionInfo#bytesUp()}).
     */
    default void connectTried(ConnectionInfo connection, Backend backend, boolean established, long nanos) {
    }

    /** The connection to the backend is established and relaying starts. */
    default void opened(ConnectionInfo connection) {
    }

    /** {@code bytes} were read from the client ({@code upstream}) or from the backend and passed on. */
    default void relayed(ConnectionInfo connection, boolean upstream, int bytes) {
    }

    /**
     * A listener refused a client at accept (or once its PROXY header named it), before any backend was chosen:
     * allow/deny or a limit. No other callback is made for a client refused at accept.
     */
    default void rejected(String listener, SocketAddress client, RejectReason reason) {
    }

    /** The connection ended; {@link ConnectionInfo#closeReason()} says why. Called exactly once per accept. */
    default void closed(ConnectionInfo connection) {
    }
}
