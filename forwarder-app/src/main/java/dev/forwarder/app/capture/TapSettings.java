package dev.forwarder.app.capture;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * One live tap's bounds and format ({@code GET /api/tap}).
 *
 * @param format {@code text} (the {@code --dump} layout) or {@code pcap} (a pcap stream: global header, records)
 * @param maxBytes the tap ends once it has taken this many bytes of traffic (all matching connections, both
 *        directions; the chunk that reaches it is streamed whole); 1 B to {@link #MAX_BYTES}
 * @param duration the tap ends after this; 1 s to {@link #MAX_DURATION}
 */
public record TapSettings(Format format, long maxBytes, Duration duration) {

    /** What the stream holds. */
    public enum Format {
        TEXT, PCAP;

        public String label() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public static final long DEFAULT_MAX_BYTES = 64L << 20;
    public static final long MAX_BYTES = 1L << 30;
    public static final Duration DEFAULT_DURATION = Duration.ofSeconds(60);
    public static final Duration MAX_DURATION = Duration.ofHours(1);

    public TapSettings {
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(duration, "duration");
        if (maxBytes < 1 || maxBytes > MAX_BYTES) {
            throw new IllegalArgumentException("max-bytes: " + maxBytes + " (expected: 1-" + MAX_BYTES + ")");
        }
        if (duration.compareTo(Duration.ofSeconds(1)) < 0 || duration.compareTo(MAX_DURATION) > 0) {
            throw new IllegalArgumentException("seconds: " + duration.toSeconds() + " (expected: 1-"
                    + MAX_DURATION.toSeconds() + ")");
        }
    }
}
