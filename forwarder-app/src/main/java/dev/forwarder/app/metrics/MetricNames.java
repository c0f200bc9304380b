package dev.forwarder.app.metrics;

import com.codahale.metrics.MetricRegistry;
import dev.forwarder.core.CloseReason;
import dev.forwarder.core.access.RejectReason;

/**
 * The names forwarder registers its metrics under:
 * <pre>
 * forwarder.listeners.LISTENER.active-connections   counter: accepted and not yet closed
 * forwarder.listeners.LISTENER.accepted             meter: connections accepted
 * forwarder.listeners.LISTENER.bytes-up             meter: bytes read from clients, passed to backends
 * forwarder.listeners.LISTENER.bytes-down           meter: bytes read from backends, passed to clients
 * forwarder.listeners.LISTENER.closed.REASON        meter: connections ended, by {@link CloseReason#label()}
 * forwarder.listeners.LISTENER.rejected.REASON      meter: clients refused at accept, by {@link RejectReason#label()}
 * forwarder.listeners.LISTENER.duration             timer: accept to close
 * forwarder.pools.POOL.backends.BACKEND.active-connections   gauge: connections picked for it, not yet ended
 * forwarder.pools.POOL.backends.BACKEND.up                   gauge: 1 while it takes new connections, else 0
 * forwarder.pools.POOL.backends.BACKEND.health-check-failures  gauge: failed active health checks so far
 * </pre>
 */
public final class MetricNames {

    public static final String ACTIVE_CONNECTIONS = "active-connections";
    public static final String ACCEPTED = "accepted";
    public static final String BYTES_UP = "bytes-up";
    public static final String BYTES_DOWN = "bytes-down";
    public static final String CLOSED = "closed";
    public static final String DURATION = "duration";
    public static final String REJECTED = "rejected";
    public static final String UP = "up";
    public static final String HEALTH_CHECK_FAILURES = "health-check-failures";

    private static final String ROOT = "forwarder";

    private MetricNames() {
    }

    /** A listener's metric, e.g. {@code listener("web", ACCEPTED)}. */
    public static String listener(String listener, String... leaf) {
        return MetricRegistry.name(MetricRegistry.name(ROOT, "listeners", listener), leaf);
    }

    /** A listener's meter of connections that ended for {@code reason}. */
    public static String closed(String listener, CloseReason reason) {
        return listener(listener, CLOSED, reason.label());
    }

    /** A listener's meter of clients refused at accept for {@code reason}. */
    public static String rejected(String listener, RejectReason reason) {
        return listener(listener, REJECTED, reason.label());
    }

    /** The prefix of a pool's metrics, {@code forwarder.pools.POOL}. */
    public static String pool(String pool) {
        return MetricRegistry.name(ROOT, "pools", pool);
    }

    /** A backend's metric, e.g. {@code backend("web", "127.0.0.1:9001", ACTIVE_CONNECTIONS)}. */
    public static String backend(String pool, String backend, String leaf) {
        return MetricRegistry.name(ROOT, "pools", pool, "backends", backend, leaf);
    }
}
