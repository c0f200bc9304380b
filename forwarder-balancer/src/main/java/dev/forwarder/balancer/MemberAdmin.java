package dev.forwarder.balancer;

import java.time.Instant;
import java.util.Objects;

/**
 * A member's admin state and where it came from.
 *
 * @param state what is set
 * @param by who set it, e.g. {@code config} for the initial state or {@code admin-api 127.0.0.1}
 * @param since when it was set (wall clock)
 */
public record MemberAdmin(AdminState state, String by, Instant since) {

    /** The state a member joins with. */
    static final String CONFIG = "config";

    public MemberAdmin {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(by, "by");
        Objects.requireNonNull(since, "since");
    }
}
