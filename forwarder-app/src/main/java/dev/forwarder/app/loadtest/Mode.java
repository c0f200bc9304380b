package dev.forwarder.app.loadtest;

import java.util.Locale;

/** What a load test's connections do. */
public enum Mode {
    /** Request/response on kept connections: send {@code size} bytes, read {@code size} bytes back, repeat. */
    RR,
    /** Stream {@code size}-byte chunks one way as fast as the socket takes them; count what comes back. */
    BULK,
    /** A new connection per request: connect, send {@code size} bytes, read {@code size} back, close. */
    CHURN;

    /** The name on the command line and in the summary: {@code rr}, {@code bulk}, {@code churn}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
