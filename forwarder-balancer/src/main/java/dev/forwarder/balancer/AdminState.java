package dev.forwarder.balancer;

import java.util.Locale;

/**
 * What an operator set on a pool member, apart from its health ({@link MemberState}): HAProxy's
 * {@code ready | drain | maint}. Only an {@link #ENABLED} member that is {@link MemberState#UP} gets new connections.
 * A pool keeps it across reconfigurations for as long as the member's address stays configured.
 */
public enum AdminState {
    /** As configured: gets connections whenever it is up. */
    ENABLED,
    /** No new connections; open ones finish; health checks go on, so its health stays known. */
    DRAINING,
    /** No new connections and no health checks (HAProxy's maintenance); open ones finish. */
    DISABLED;

    /** Lower case, as in logs and the admin API: {@code enabled}, {@code draining}, {@code disabled}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
