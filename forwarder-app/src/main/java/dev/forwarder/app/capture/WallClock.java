package dev.forwarder.app.capture;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Turns the relay's {@link System#nanoTime()} stamps into wall-clock time, from one reading of both clocks. */
final class WallClock {

    private static final DateTimeFormatter ISO =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

    private final long baseEpochNanos = System.currentTimeMillis() * 1_000_000L;
    private final long baseNanos = System.nanoTime();

    /** Nanoseconds since the epoch at {@code nanoTime}. */
    long epochNanos(long nanoTime) {
        return baseEpochNanos + (nanoTime - baseNanos);
    }

    /** E.g. {@code 2026-12-02T00:50:01.123456Z}. */
    String format(long nanoTime) {
        long epoch = epochNanos(nanoTime);
        return ISO.format(Instant.ofEpochSecond(Math.floorDiv(epoch, 1_000_000_000L),
                Math.floorMod(epoch, 1_000_000_000L)));
    }
}
