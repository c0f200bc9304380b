package dev.forwarder.balancer.health;

import dev.forwarder.balancer.MemberState;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A pool's active health check.
 *
 * @param type how to probe; {@link HealthCheckType#NONE} switches active checks off (the rest is then unused)
 * @param interval from the start of one check to the start of the next, before jitter; &gt; 0
 * @param timeout how long one check may take, connect included; &gt; 0
 * @param rise consecutive passed checks that mark a down member up, 1 to {@link #MAX_COUNT}
 * @param fall consecutive failed checks that mark an up member down, 1 to {@link #MAX_COUNT}
 * @param jitterPercent each interval is stretched by a random 0 to this many percent, 0 to {@link #MAX_JITTER}
 * @param send send-expect: what to send (as UTF-8), required for that type
 * @param expect send-expect: the reply must contain this (as UTF-8 bytes); empty when {@code expectRegex} is used
 * @param expectRegex send-expect: the reply, read as ISO-8859-1, must match this somewhere; empty when unused
 * @param path http: the path to GET, starting with {@code /}
 * @param expectStatusMin http: lowest passing status, 100-599
 * @param expectStatusMax http: highest passing status, {@code expectStatusMin}-599
 * @param initialState {@link MemberState#DOWN} (checked before it gets traffic) or {@link MemberState#UP}
 */
public record HealthCheckSettings(
        HealthCheckType type,
        Duration interval,
        Duration timeout,
        int rise,
        int fall,
        int jitterPercent,
        String send,
        String expect,
        String expectRegex,
        String path,
        int expectStatusMin,
        int expectStatusMax,
        MemberState initialState) {

    public static final int MAX_COUNT = 100;
    public static final int MAX_JITTER = 50;
    /** How much of a reply send-expect and http checks read at most. */
    public static final int MAX_REPLY = 4096;

    /** No active checks; the other values are the documented defaults. */
    public static final HealthCheckSettings NONE = new HealthCheckSettings(HealthCheckType.NONE,
            Duration.ofSeconds(2), Duration.ofSeconds(1), 2, 3, 10, "", "", "", "/", 200, 399, MemberState.DOWN);

    public HealthCheckSettings {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(interval, "interval");
        Objects.requireNonNull(timeout, "timeout");
        Objects.requireNonNull(send, "send");
        Objects.requireNonNull(expect, "expect");
        Objects.requireNonNull(expectRegex, "expectRegex");
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(initialState, "initialState");
        positive("interval", interval);
        positive("timeout", timeout);
        if (rise < 1 || rise > MAX_COUNT) {
            throw new IllegalArgumentException("rise: " + rise + " (expected: 1-" + MAX_COUNT + ")");
        }
        if (fall < 1 || fall > MAX_COUNT) {
            throw new IllegalArgumentException("fall: " + fall + " (expected: 1-" + MAX_COUNT + ")");
        }
        if (jitterPercent < 0 || jitterPercent > MAX_JITTER) {
            throw new IllegalArgumentException("jitter: " + jitterPercent + "% (expected: 0%-" + MAX_JITTER + "%)");
        }
        if (initialState != MemberState.UP && initialState != MemberState.DOWN) {
            throw new IllegalArgumentException("initialState: " + initialState + " (expected: UP or DOWN)");
        }
        if (type == HealthCheckType.SEND_EXPECT) {
            if (send.isEmpty()) {
                throw new IllegalArgumentException("send: \"\" (expected: the bytes a send-expect check sends)");
            }
            if (expect.isEmpty() == expectRegex.isEmpty()) {
                throw new IllegalArgumentException("expect: a send-expect check needs exactly one of expect and"
                        + " expect-regex (expected: e.g. expect = \"+PONG\")");
            }
        }
        if (!expectRegex.isEmpty()) {
            try {
                Pattern.compile(expectRegex);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("expectRegex: \"" + expectRegex + "\" is not a regex: "
                        + e.getDescription());
            }
        }
        if (!path.startsWith("/") || path.chars().anyMatch(c -> c <= ' ' || c == 127)) {
            throw new IllegalArgumentException("path: \"" + path + "\" (expected: starts with /, no spaces or"
                    + " control characters)");
        }
        if (expectStatusMin < 100 || expectStatusMax > 599 || expectStatusMin > expectStatusMax) {
            throw new IllegalArgumentException("expectStatus: [" + expectStatusMin + ", " + expectStatusMax
                    + "] (expected: 100 <= low <= high <= 599)");
        }
    }

    private static void positive(String name, Duration value) {
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: > 0)");
        }
    }

    /** Whether active checks run at all. */
    public boolean enabled() {
        return type != HealthCheckType.NONE;
    }
}
