package dev.forwarder.balancer;

import dev.forwarder.balancer.health.HealthCheckSettings;
import dev.forwarder.core.proxy.ProxyProtocol;

import java.time.Duration;
import java.util.Objects;

/**
 * How a pool treats its members beyond picking: limits, passive and active health, slow start, DNS.
 *
 * @param maxConnections connections per member at once, 0 for no limit (a backend may set its own)
 * @param maxQueue connections that may wait at once for a member to have room, 1 to {@link #MAX_QUEUE}; one more
 *     is closed at once ({@code queue-full})
 * @param maxFails connect failures in a row, within {@code failTimeout}, that take a member out for
 *     {@code failTimeout}; 0 switches passive health off
 * @param failTimeout the window for {@code maxFails} and the cool-down after it; zero switches passive health off
 * @param slowStart how long a member that comes back takes to ramp from almost nothing to its full weight; zero
 *     for at once
 * @param onDown what happens to a member's connections when its health checks mark it down
 * @param resolveInterval how often hostnames are resolved again; zero resolves them once, at start
 * @param healthCheck the active health check
 * @param sendProxy the PROXY header written to each backend connection before the client's bytes, naming the
 *     client; {@link ProxyProtocol#OFF} for none ({@link ProxyProtocol#ANY} is not a version to send)
 */
public record PoolSettings(
        int maxConnections,
        int maxQueue,
        int maxFails,
        Duration failTimeout,
        Duration slowStart,
        OnDown onDown,
        Duration resolveInterval,
        HealthCheckSettings healthCheck,
        ProxyProtocol sendProxy) {

    public static final int MAX_FAILS = 1000;
    public static final int MAX_QUEUE = 1_000_000;
    /** HAProxy's {@code maxqueue} has no bound by default; one here keeps a flood of waiting clients finite. */
    public static final int DEFAULT_MAX_QUEUE = 1024;

    /**
     * The documented defaults: no limit, 1024 waiting, 3 fails in 10s, no slow start, keep sessions, resolve once,
     * no checks.
     */
    public static final PoolSettings DEFAULT = new PoolSettings(0, DEFAULT_MAX_QUEUE, 3, Duration.ofSeconds(10),
            Duration.ZERO, OnDown.KEEP_SESSIONS, Duration.ZERO, HealthCheckSettings.NONE, ProxyProtocol.OFF);

    /** Members are always up: no limits, no passive or active health, as in {@link Pool#of}. */
    public static final PoolSettings STATIC = DEFAULT.withPassive(0, Duration.ZERO);

    /** Settings without a PROXY header to send. */
    public PoolSettings(int maxConnections, int maxQueue, int maxFails, Duration failTimeout, Duration slowStart,
            OnDown onDown, Duration resolveInterval, HealthCheckSettings healthCheck) {
        this(maxConnections, maxQueue, maxFails, failTimeout, slowStart, onDown, resolveInterval, healthCheck,
                ProxyProtocol.OFF);
    }

    public PoolSettings {
        Objects.requireNonNull(failTimeout, "failTimeout");
        Objects.requireNonNull(slowStart, "slowStart");
        Objects.requireNonNull(onDown, "onDown");
        Objects.requireNonNull(resolveInterval, "resolveInterval");
        Objects.requireNonNull(healthCheck, "healthCheck");
        Objects.requireNonNull(sendProxy, "sendProxy");
        if (sendProxy == ProxyProtocol.ANY) {
            throw new IllegalArgumentException("sendProxy: any (expected: off, v1 or v2)");
        }
        if (maxConnections < 0) {
            throw new IllegalArgumentException("maxConnections: " + maxConnections + " (expected: >= 0)");
        }
        if (maxQueue < 1 || maxQueue > MAX_QUEUE) {
            throw new IllegalArgumentException("maxQueue: " + maxQueue + " (expected: 1-" + MAX_QUEUE + ")");
        }
        if (maxFails < 0 || maxFails > MAX_FAILS) {
            throw new IllegalArgumentException("maxFails: " + maxFails + " (expected: 0-" + MAX_FAILS + ")");
        }
        notNegative("failTimeout", failTimeout);
        notNegative("slowStart", slowStart);
        notNegative("resolveInterval", resolveInterval);
    }

    private static void notNegative(String name, Duration value) {
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: >= 0)");
        }
    }

    /** Whether connect failures take members out. */
    public boolean passive() {
        return maxFails > 0 && !failTimeout.isZero();
    }

    public PoolSettings withMaxConnections(int limit) {
        return new PoolSettings(limit, maxQueue, maxFails, failTimeout, slowStart, onDown, resolveInterval,
                healthCheck, sendProxy);
    }

    public PoolSettings withMaxQueue(int bound) {
        return new PoolSettings(maxConnections, bound, maxFails, failTimeout, slowStart, onDown, resolveInterval,
                healthCheck, sendProxy);
    }

    public PoolSettings withPassive(int fails, Duration timeout) {
        return new PoolSettings(maxConnections, maxQueue, fails, timeout, slowStart, onDown, resolveInterval,
                healthCheck, sendProxy);
    }

    public PoolSettings withSlowStart(Duration ramp) {
        return new PoolSettings(maxConnections, maxQueue, maxFails, failTimeout, ramp, onDown, resolveInterval,
                healthCheck, sendProxy);
    }

    public PoolSettings withOnDown(OnDown policy) {
        return new PoolSettings(maxConnections, maxQueue, maxFails, failTimeout, slowStart, policy, resolveInterval,
                healthCheck, sendProxy);
    }

    public PoolSettings withResolveInterval(Duration interval) {
        return new PoolSettings(maxConnections, maxQueue, maxFails, failTimeout, slowStart, onDown, interval,
                healthCheck, sendProxy);
    }

    public PoolSettings withHealthCheck(HealthCheckSettings check) {
        return new PoolSettings(maxConnections, maxQueue, maxFails, failTimeout, slowStart, onDown, resolveInterval,
                check, sendProxy);
    }

    public PoolSettings withSendProxy(ProxyProtocol protocol) {
        return new PoolSettings(maxConnections, maxQueue, maxFails, failTimeout, slowStart, onDown, resolveInterval,
                healthCheck, protocol);
    }
}
