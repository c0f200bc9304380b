package dev.forwarder.app.capture;

import java.io.Closeable;
import java.io.IOException;

/**
 * Where {@link PcapSink} puts its records: rotated files ({@link PcapFiles}) or a live tap's stream
 * ({@link PcapStream}).
 */
interface PcapOut extends Closeable {

    /** Appends one record holding {@code packet}, stamped {@code epochNanos}. */
    void write(long epochNanos, byte[] packet) throws IOException;

    void flush() throws IOException;

    /** For log lines: where the records go, e.g. {@code file=captures/web-20261202-010203-0001.pcap}. */
    String where();
}
