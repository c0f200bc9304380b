package dev.forwarder.app.config;

import dev.forwarder.balancer.BackendSpec;
import dev.forwarder.balancer.BalancingStrategy;
import dev.forwarder.balancer.PoolSettings;
import dev.forwarder.core.ConnectPolicy;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One pool of {@code forwarder.pools}, with {@code forwarder.pool-defaults} applied.
 *
 * @param name its key in {@code forwarder.pools}
 * @param strategy one of {@link BalancingStrategy#names()}
 * @param connectTimeout how long one connect attempt to a backend may take; &gt; 0
 * @param connectTries how many backends a connection tries before the client is closed, 1 to
 *        {@link #MAX_CONNECT_TRIES}
 * @param connectDeadline the total time for all of a connection's tries, from accept; &gt; 0
 * @param queueTimeout how long a client may wait while every member is at its connection limit; &gt;= 0
 * @param settings limits, passive and active health, slow start, on-down and DNS refresh
 * @param backends at least one, in configuration order
 * @param tls TLS origination to the backends, {@link PoolTls#OFF} by default
 */
public record PoolConfig(
        String name,
        String strategy,
        Duration connectTimeout,
        int connectTries,
        Duration connectDeadline,
        Duration queueTimeout,
        PoolSettings settings,
        List<BackendSpec> backends,
        PoolTls tls) {

    public static final int MAX_CONNECT_TRIES = 100;

    /** A pool without TLS. */
    public PoolConfig(String name, String strategy, Duration connectTimeout, int connectTries,
            Duration connectDeadline, Duration queueTimeout, PoolSettings settings, List<BackendSpec> backends) {
        this(name, strategy, connectTimeout, connectTries, connectDeadline, queueTimeout, settings, backends,
                PoolTls.OFF);
    }

    public PoolConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(strategy, "strategy");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(connectDeadline, "connectDeadline");
        Objects.requireNonNull(queueTimeout, "queueTimeout");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(tls, "tls");
        backends = List.copyOf(backends);
        if (!BalancingStrategy.names().contains(strategy)) {
            throw new IllegalArgumentException("strategy: \"" + strategy + "\" (expected one of: "
                    + String.join(", ", BalancingStrategy.names()) + ")");
        }
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connectTimeout: " + connectTimeout + " (expected: > 0)");
        }
        if (connectTries < 1 || connectTries > MAX_CONNECT_TRIES) {
            throw new IllegalArgumentException(
                    "connectTries: " + connectTries + " (expected: 1-" + MAX_CONNECT_TRIES + ")");
        }
        if (connectDeadline.isNegative() || connectDeadline.isZero()) {
            throw new IllegalArgumentException("connectDeadline: " + connectDeadline + " (expected: > 0)");
        }
        if (queueTimeout.isNegative()) {
            throw new IllegalArgumentException("queueTimeout: " + queueTimeout + " (expected: >= 0)");
        }
        if (backends.isEmpty()) {
            throw new IllegalArgumentException("backends: [] (expected: at least one backend)");
        }
    }

    /**
     * What the relay needs to know about connecting, retries and queueing for connections to this pool; the pool
     * hands it to each new connection, so a reload changes it in one place.
     */
    public ConnectPolicy connectPolicy() {
        return new ConnectPolicy(connectTimeout, connectTries, connectDeadline, queueTimeout);
    }
}
