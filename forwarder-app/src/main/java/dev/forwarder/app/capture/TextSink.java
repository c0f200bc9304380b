package dev.forwarder.app.capture;

import dev.forwarder.core.Addresses;

import java.util.function.Consumer;

/**
 * Capture events as text, one block per event handed whole to {@code out} (so chunks of different connections
 * never interleave): a header line per chunk (time, connection, direction, size, offset in the stream) and its
 * {@link HexDump}, the protocol summary of each direction once it is known, timeline lines, and a note when the
 * queue dropped chunks. With {@link DumpMode#SUMMARY}, everything but the chunks.
 */
final class TextSink implements CaptureSink {

    private final DumpMode mode;
    private final Consumer<String> out;
    private final Runnable flush;
    private final WallClock clock = new WallClock();

    TextSink(DumpMode mode, Consumer<String> out, Runnable flush) {
        this.mode = mode;
        this.out = out;
        this.flush = flush;
    }

    @Override
    public void write(CaptureEvent event) {
        CapturedConnection c = event.connection();
        StringBuilder text = new StringBuilder(128);
        if (event instanceof CaptureEvent.Chunk chunk) {
            chunk(text, c, chunk);
        } else if (event instanceof CaptureEvent.Mark mark) {
            line(text, c, mark.nanos()).append(mark.text()).append('\n');
        } else if (event instanceof CaptureEvent.End end) {
            summary(text, c, end.nanos(), true, c.sniffUp == null ? null : c.sniffUp.finish());
            summary(text, c, end.nanos(), false, c.sniffDown == null ? null : c.sniffDown.finish());
            if (end.reason() == null) {
                line(text, c, end.nanos()).append(c.full ? "capture done (max-bytes each way) bytes_up="
                        : "capture stopped bytes_up=").append(end.bytesUp())
                        .append(" bytes_down=").append(end.bytesDown()).append('\n');
            }
        }
        if (!text.isEmpty()) {
            out.accept(text.toString());
        }
    }

    private void chunk(StringBuilder text, CapturedConnection c, CaptureEvent.Chunk chunk) {
        boolean up = chunk.upstream();
        long expected = up ? c.nextUp : c.nextDown;
        long end = chunk.offset() + chunk.length();
        if (up) {
            c.nextUp = end;
        } else {
            c.nextDown = end;
        }
        if (chunk.offset() == 0) {
            line(text, c, chunk.nanos()).append("first-byte ").append(up ? "up" : "down").append(" after_ms=")
                    .append(Timeline.millis(chunk.nanos() - c.acceptedNanos)).append('\n');
        }
        if (mode == DumpMode.FULL) {
            line(text, c, chunk.nanos()).append(up ? "up " : "down ");
            Legs legs = chunk.legs();
            if (up) {
                text.append(Addresses.format(legs.client())).append(" -> ")
                        .append(legs.backend() == null ? "(connecting)" : Addresses.format(legs.backend()));
            } else {
                text.append(Addresses.format(legs.backend())).append(" -> ").append(Addresses.format(legs.client()));
            }
            text.append(" size=").append(chunk.length()).append(" offset=").append(chunk.offset());
            if (chunk.data().length < chunk.length()) {
                text.append(" captured=").append(chunk.data().length);
            }
            if (expected >= 0 && chunk.offset() > expected) {
                text.append(" missed=").append(chunk.offset() - expected);
            }
            text.append('\n');
            HexDump.append(text, chunk.data(), 0, chunk.data().length, chunk.offset());
        }
        if (c.sniffUp == null) {
            Sniffer[] pair = Sniffer.pair();
            c.sniffUp = pair[0];
            c.sniffDown = pair[1];
        }
        Sniffer sniffer = up ? c.sniffUp : c.sniffDown;
        if (expected < 0 && chunk.offset() != 0) {
            sniffer.finish(); // first seen mid-stream: no start to summarise
        }
        if (chunk.data().length == 0) {
            summary(text, c, chunk.nanos(), up, sniffer.finish());
        } else {
            summary(text, c, chunk.nanos(), up, sniffer.feed(chunk.data(), chunk.data().length));
        }
    }

    private void summary(StringBuilder text, CapturedConnection c, long nanos, boolean up, String summary) {
        if (summary != null) {
            line(text, c, nanos).append("summary ").append(up ? "up " : "down ").append(summary).append('\n');
        }
    }

    private StringBuilder line(StringBuilder text, CapturedConnection c, long nanos) {
        return text.append(clock.format(nanos)).append(" conn=").append(c.id).append(' ');
    }

    @Override
    public void flush() {
        flush.run();
    }

    @Override
    public void dropped(long events, long bytes) {
        out.accept(clock.format(System.nanoTime()) + " capture dropped chunks=" + events + " bytes=" + bytes
                + " (writer behind; the relay was not slowed)\n");
    }

    @Override
    public void close() {
        flush.run();
    }
}
