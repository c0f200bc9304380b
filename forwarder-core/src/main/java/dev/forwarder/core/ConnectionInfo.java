package dev.forwarder.core;

import java.net.SocketAddress;
import java.util.List;

/**
 * A read-only view of one relayed connection, handed to a {@link ConnectionObserver}. The view is live: read it
 * during the callback (or on the connection's event loop), not later from another thread.
 */
public interface ConnectionInfo {

    /** A short id unique within this process, used as {@code conn=} in logs. */
    String id();

    /** The name of the listener that accepted the connection. */
    String listener();

    SocketAddress client();

    /**
     * The address the client connected to: the listener's own, or the destination a PROXY header named;
     * {@code null} where unknown.
     */
    default SocketAddress destination() {
        return null;
    }

    /** The backend the connection relays to, or {@code null} before a connect succeeded. */
    Backend backend();

    /** Backends that failed to connect for this connection, in order. */
    List<Backend> failedBackends();

    /** Bytes read from the client and written towards the backend. */
    long bytesUp();

    /** Bytes read from the backend and written towards the client. */
    long bytesDown();

    /**
     * Of {@link #bytesUp()} and {@link #bytesDown()}, the bytes moved by {@code splice(2)}: kernel to kernel,
     * never in the JVM (see {@link Splice}).
     */
    default long bytesSpliced() {
        return 0;
    }

    /** {@link System#nanoTime()} when the connection was accepted. */
    long acceptedNanos();

    /**
     * What its TLS handshake settled on the client side and the pool that picked,
     * {@code TLSv1.3 sni=api.example.com alpn=h2 pool=api pool_by=sni} ({@code -} for no server name or protocol;
     * {@code pool_by} one of sni, alpn, listener), or {@code null} where the listener does not terminate TLS or
     * before the handshake.
     */
    default String tls() {
        return null;
    }

    /** Why it ended, or {@code null} while it is open. */
    CloseReason closeReason();

    // ---- the timeline: System.nanoTime() stamps, 0 where the event has not happened (yet) -----------------------

    /** When it was accepted, wall clock in milliseconds since the epoch; 0 where unknown. */
    default long acceptedMillis() {
        return 0;
    }

    /** {@link System#nanoTime()} when the backend connect succeeded, or 0. */
    default long connectedNanos() {
        return 0;
    }

    /** {@link System#nanoTime()} of the first bytes read from the client, or 0. */
    default long firstUpNanos() {
        return 0;
    }

    /** {@link System#nanoTime()} of the first bytes read from the backend, or 0. */
    default long firstDownNanos() {
        return 0;
    }

    /** Which side ended first and how (FIN or reset, or forwarder itself), or {@code null} while neither has. */
    default FirstClose firstClose() {
        return null;
    }

    /**
     * What the connection's first bytes say (a protocol summary, e.g. {@code http request="GET / HTTP/1.1"
     * host=example; http response status=200}), or {@code null}: set by an observer that looks
     * ({@code capture.summary}), readable from any thread.
     */
    default String summary() {
        return null;
    }

    /**
     * Why its backend was chosen, in words (the strategy and what it compared, see {@link ChoiceNote}), or
     * {@code null} when the chooser noted nothing. Built when asked; on the connection's event loop.
     */
    default String choice() {
        return null;
    }
}
