package dev.forwarder.app.capture;

/**
 * Where a {@link Tap} streams to (the admin port's HTTP response). Only the tap's writer thread writes, flushes and
 * closes; {@link #ending()} comes from the thread that ends the tap. An output whose reader does not keep up makes
 * the writer wait in {@link #flush()}, never the relay: while it waits, the tap's queue fills and the tap drops.
 */
public interface TapOutput {

    /** Buffers {@code data[from, from + length)}; may push a full buffer out as {@link #flush()} does. */
    void write(byte[] data, int from, int length);

    /** Pushes what is buffered to the reader, waiting while the reader has not taken what was pushed before. */
    void flush();

    /** The tap ended: from now on, waiting for a reader that takes nothing is bounded. */
    void ending();

    /** The end of the stream: pushes the rest, then ends the response. */
    void close();
}
