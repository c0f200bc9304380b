package dev.forwarder.app.capture;

import java.io.IOException;

/** Where a {@link CaptureQueue}'s writer thread puts events: text or pcap. Only ever called on that thread. */
interface CaptureSink {

    void write(CaptureEvent event) throws IOException;

    /** The queue is empty for now: push buffered output out. */
    void flush() throws IOException;

    /** {@code events} chunks ({@code bytes} bytes) were dropped since the last call because the queue was full. */
    void dropped(long events, long bytes) throws IOException;

    void close() throws IOException;
}
