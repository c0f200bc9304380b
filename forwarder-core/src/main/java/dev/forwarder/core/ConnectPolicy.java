package dev.forwarder.core;

import java.time.Duration;
import java.util.Objects;

/**
 * How hard a connection tries to reach a backend before its client is closed.
 *
 * @param connectTimeout how long one connect attempt may take; {@code null} for the listener's
 *     {@link ListenerSettings#connectTimeout()}
 * @param tries how many different backends to try; &gt;= 1
 * @param deadline the total time for all tries, from accept; no new try starts after it, and the try under way is
 *     cut short at it
 * @param queueTimeout how long a client may wait for a backend when the chooser has none free right now (every
 *     backend at its connection limit); zero means close at once
 */
public record ConnectPolicy(Duration connectTimeout, int tries, Duration deadline, Duration queueTimeout) {

    /** One try, a deadline of one minute (the connect timeout is what normally ends it), no queue. */
    public static final ConnectPolicy DEFAULT = new ConnectPolicy(1, Duration.ofMinutes(1), Duration.ZERO);

    public ConnectPolicy {
        if (connectTimeout != null && (connectTimeout.isNegative() || connectTimeout.isZero())) {
            throw new IllegalArgumentException("connectTimeout: " + connectTimeout + " (expected: > 0)");
        }
        Objects.requireNonNull(deadline, "deadline");
        Objects.requireNonNull(queueTimeout, "queueTimeout");
        if (tries < 1) {
            throw new IllegalArgumentException("tries: " + tries + " (expected: >= 1)");
        }
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("deadline: " + deadline + " (expected: > 0)");
        }
        if (queueTimeout.isNegative()) {
            throw new IllegalArgumentException("queueTimeout: " + queueTimeout + " (expected: >= 0)");
        }
    }

    /** A policy that takes the listener's connect timeout. */
    public ConnectPolicy(int tries, Duration deadline, Duration queueTimeout) {
        this(null, tries, deadline, queueTimeout);
    }

    public static ConnectPolicy ofTries(int tries) {
        return new ConnectPolicy(tries, DEFAULT.deadline, Duration.ZERO);
    }
}
