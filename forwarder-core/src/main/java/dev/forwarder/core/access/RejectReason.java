package dev.forwarder.core.access;

import java.util.Locale;

/** Why a listener refused a client at accept: the label names the metric and the log line. */
public enum RejectReason {
    /** Not in {@code allow} (when allow is not empty), or in {@code deny}. */
    DENIED,
    /** The listener has {@code max-connections} open. */
    MAX_CONNECTIONS,
    /** This client address has {@code max-connections-per-client} open. */
    MAX_CONNECTIONS_PER_CLIENT,
    /** This client address opened more than {@code accept-rate-per-client} connections a second. */
    ACCEPT_RATE_PER_CLIENT,
    /** With {@code accept-proxy}: the socket peer is not in {@code accept-proxy-from}, so its header is not believed. */
    UNTRUSTED_PROXY;

    private final String label = name().toLowerCase(Locale.ROOT).replace('_', '-');

    /** The hyphenated name, e.g. {@code max-connections-per-client}. */
    public String label() {
        return label;
    }
}
