package dev.forwarder.app.capture;

import dev.forwarder.core.CloseReason;

/**
 * What the event loop hands the writer thread: immutable, the bytes already copied. {@link #size()} counts towards
 * the queue's bound.
 */
sealed interface CaptureEvent {

    CapturedConnection connection();

    /** {@link System#nanoTime()} when it happened. */
    long nanos();

    default long size() {
        return 64;
    }

    /**
     * Bytes read from one side: {@code data} holds the captured part of the chunk (all of it, or less at
     * {@code max-bytes}); {@code length} is the whole chunk's size.
     */
    record Chunk(CapturedConnection connection, long nanos, boolean upstream, long offset, int length, byte[] data,
            Legs legs) implements CaptureEvent {
        @Override
        public long size() {
            return 64 + data.length;
        }
    }

    /** A line of the timeline ({@code --dump}): accepted, connected, closed. */
    record Mark(CapturedConnection connection, long nanos, String text) implements CaptureEvent {
    }

    /**
     * The capture leaves the connection: it ended ({@code reason} says how) or the capture stopped while it was open
     * ({@code reason} is {@code null}).
     */
    record End(CapturedConnection connection, long nanos, CloseReason reason, long bytesUp, long bytesDown, Legs legs)
            implements CaptureEvent {
    }
}
