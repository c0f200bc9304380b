package dev.forwarder.core;

import io.netty.buffer.ByteBuf;

/**
 * Sees the bytes of the connections it is attached to (capture, a live tap): every chunk each way, in stream order,
 * with its direction and time. While any observer is attached to a connection, neither of its directions splices
 * (spliced bytes never enter the JVM), so attaching to a connection that is splicing returns a direction to
 * copying once its pipe has drained; the bytes that were in the pipe then are not seen, which {@code offset} shows.
 *
 * <p>Called on the connection's event loop: quick, non-blocking, no lock held for long. A slow consumer must drop,
 * never wait.
 */
public interface TrafficObserver {

    /**
     * {@code data} was read from one side and is about to be written to the other.
     *
     * @param upstream {@code true} for bytes from the client to the backend
     * @param offset where the chunk starts in that direction's stream (bytes relayed before it)
     * @param data the chunk, readable bytes only; neither keep nor release it: copy what you need
     * @param nanos {@link System#nanoTime()} when it was read
     */
    void bytes(ConnectionInfo connection, boolean upstream, long offset, ByteBuf data, long nanos);

    /** The connection ended, or this observer was detached from it. At most once per connection. */
    default void detached(ConnectionInfo connection) {
    }
}
