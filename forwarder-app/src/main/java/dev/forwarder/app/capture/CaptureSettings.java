package dev.forwarder.app.capture;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A listener's {@code capture} block.
 *
 * @param mode off, hexdump or pcap
 * @param maxBytes bytes captured per connection and direction, counted from where the capture first saw it; the
 *        rest still relays, uncaptured; 1 B to {@link #MAX_SIZE}
 * @param dir where pcap files go (relative to the working directory unless absolute)
 * @param maxFileSize a pcap file is closed and the next one started before it grows past this; 64 KiB to
 *        {@link #MAX_SIZE}
 * @param maxFiles pcap files kept per listener; the oldest are deleted; 1 to {@link #MAX_FILES}
 * @param summary {@code capture.summary}: whether each connection's first bytes are looked at on the event loop for
 *        a protocol summary (for the connection log, {@code /api/connections}), whatever the mode
 */
public record CaptureSettings(CaptureMode mode, long maxBytes, Path dir, long maxFileSize, int maxFiles,
        boolean summary) {

    public static final long MAX_SIZE = 1L << 40;
    public static final long MIN_FILE_SIZE = 64 * 1024;
    public static final int MAX_FILES = 100_000;

    /** Capture off, with the reference defaults. */
    public static final CaptureSettings OFF =
            new CaptureSettings(CaptureMode.OFF, 1 << 20, Path.of("captures"), 64L << 20, 10);

    /** Settings with {@code summary = off}. */
    public CaptureSettings(CaptureMode mode, long maxBytes, Path dir, long maxFileSize, int maxFiles) {
        this(mode, maxBytes, dir, maxFileSize, maxFiles, false);
    }

    public CaptureSettings {
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(dir, "dir");
        if (maxBytes < 1 || maxBytes > MAX_SIZE) {
            throw new IllegalArgumentException("maxBytes: " + maxBytes + " (expected: 1-" + MAX_SIZE + ")");
        }
        if (maxFileSize < MIN_FILE_SIZE || maxFileSize > MAX_SIZE) {
            throw new IllegalArgumentException("maxFileSize: " + maxFileSize + " (expected: " + MIN_FILE_SIZE + "-"
                    + MAX_SIZE + ")");
        }
        if (maxFiles < 1 || maxFiles > MAX_FILES) {
            throw new IllegalArgumentException("maxFiles: " + maxFiles + " (expected: 1-" + MAX_FILES + ")");
        }
    }

    /** The same settings with another mode. */
    public CaptureSettings withMode(CaptureMode other) {
        return new CaptureSettings(other, maxBytes, dir, maxFileSize, maxFiles, summary);
    }

    /** The same settings with another {@code dir}. */
    public CaptureSettings withDir(Path other) {
        return new CaptureSettings(mode, maxBytes, other, maxFileSize, maxFiles, summary);
    }

    /** The same settings with another {@code max-bytes}. */
    public CaptureSettings withMaxBytes(long other) {
        return new CaptureSettings(mode, other, dir, maxFileSize, maxFiles, summary);
    }

    /** The same settings with {@code summary} on or off. */
    public CaptureSettings withSummary(boolean on) {
        return new CaptureSettings(mode, maxBytes, dir, maxFileSize, maxFiles, on);
    }
}
