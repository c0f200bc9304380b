package dev.forwarder.app.capture;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * A tap's formatter (text or pcap) as its writer thread drives it, plus what only a tap does: whenever the queue is
 * empty (the reader took everything), the tap goes back onto the connections it left; drops are counted for the
 * tap's totals; at the end a text tap gets a last line with the totals, and the output is ended.
 */
final class TapSink implements CaptureSink {

    private final CaptureSink formatter;
    private final Tap tap;
    private final TapOutput out;

    TapSink(CaptureSink formatter, Tap tap, TapOutput out) {
        this.formatter = formatter;
        this.tap = tap;
        this.out = out;
    }

    @Override
    public void write(CaptureEvent event) throws IOException {
        formatter.write(event);
    }

    @Override
    public void flush() throws IOException {
        formatter.flush();
        TapObserver observer = tap.observer();
        if (!tap.isEnded() && observer != null) { // null while the tap is still being built
            observer.rejoin();
        }
    }

    @Override
    public void dropped(long events, long bytes) throws IOException {
        tap.dropped(bytes);
        formatter.dropped(events, bytes);
    }

    @Override
    public void close() throws IOException {
        formatter.close();
        if (tap.settings().format() == TapSettings.Format.TEXT) {
            byte[] line = (new WallClock().format(System.nanoTime()) + " " + tap.summary() + "\n")
                    .getBytes(StandardCharsets.UTF_8);
            out.write(line, 0, line.length);
        }
        out.close();
        tap.finished();
    }
}
