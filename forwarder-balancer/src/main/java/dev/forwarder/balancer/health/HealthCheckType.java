package dev.forwarder.balancer.health;

import java.util.Locale;

/** How an active health check probes a backend. */
public enum HealthCheckType {
    /** No active checks: members are up unless connect failures take them out. */
    NONE,
    /**
     * A TCP connect. Cannot see a paused or hung process: the kernel completes the handshake for a listening socket
     * whether or not the process ever reads.
     */
    TCP,
    /** Send bytes, expect a reply that contains a string or matches a regex (e.g. {@code PING} / {@code +PONG}). */
    SEND_EXPECT,
    /** {@code GET} a path and expect a status in a range. */
    HTTP;

    private final String label = name().toLowerCase(Locale.ROOT).replace('_', '-');

    /** The name the config uses, e.g. {@code send-expect}. */
    public String label() {
        return label;
    }
}
