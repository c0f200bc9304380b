package dev.forwarder.app.config;

import java.util.Locale;

/** What a listener does while its pool has no member up ({@code when-no-backend}). */
public enum WhenNoBackend {
    /** Accept, then close the client at once (close reason {@code no-backend}). */
    CLOSE,
    /** Close the listening sockets until a member is back, so clients are refused by the kernel. */
    PAUSE_ACCEPT;

    /** The name the config uses, e.g. {@code pause-accept}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
