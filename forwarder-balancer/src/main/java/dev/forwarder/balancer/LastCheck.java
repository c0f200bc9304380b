package dev.forwarder.balancer;

import java.time.Instant;

/**
 * How a member's last active health check went.
 *
 * @param passed whether the backend answered as expected
 * @param detail key=value words, e.g. {@code check=http status=503}
 * @param at when it finished (wall clock)
 */
public record LastCheck(boolean passed, String detail, Instant at) {
}
