package dev.forwarder.app.metrics;

import com.codahale.metrics.MetricRegistry;
import dev.forwarder.core.CloseReason;
import dev.forwarder.core.access.RejectReason;

import java.util.List;

/**
 * The names forwarder registers its Dropwizard metrics under, and how {@link PrometheusMetrics} reads them back
 * into labels ({@link #parse}). {@code BACKEND} is a member's address, {@code 10.0.0.11:8080} or {@code [::1]:80}:
 * names are parsed from their known leaf back, so listener and backend names may hold dots and colons (a pool's
 * name must not hold {@code .backends.}).
 * <pre>
 * forwarder.listeners.LISTENER.active-connections   counter: accepted and not yet closed
 * forwarder.listeners.LISTENER.accepted             meter: connections accepted
 * forwarder.listeners.LISTENER.unserved             meter: closed without a backend because none could take them
 *                                                   (no-backend, queue-full, queue-timeout, connect-failed)
 * forwarder.listeners.LISTENER.bytes-up             meter: bytes read from clients, passed to backends
 * forwarder.listeners.LISTENER.bytes-down           meter: bytes read from backends, passed to clients
 * forwarder.listeners.LISTENER.closed.REASON        meter: connections ended, by {@link CloseReason#label()}
 * forwarder.listeners.LISTENER.rejected.REASON      meter: clients refused at accept, by {@link RejectReason#label()}
 * forwarder.listeners.LISTENER.duration             timer: accept to close (fixed buckets, see BucketTimer)
 * forwarder.pools.POOL.waiting                      gauge: connections waiting for a member with room
 * forwarder.pools.POOL.available                    gauge: 1 while the pool has a member to offer, else 0
 * forwarder.pools.POOL.backends.BACKEND.active-connections     gauge: connections picked for it, not yet ended
 * forwarder.pools.POOL.backends.BACKEND.up                     gauge: 1 while it takes new connections (up and
 *                                                              enabled), else 0
 * forwarder.pools.POOL.backends.BACKEND.state                  gauge: its state, up, down, failed or draining
 * forwarder.pools.POOL.backends.BACKEND.admin-state            gauge: enabled, draining or disabled (admin API)
 * forwarder.pools.POOL.backends.BACKEND.weight                 gauge: configured weight
 * forwarder.pools.POOL.backends.BACKEND.effective-weight       gauge: weight strategies use now (slow start)
 * forwarder.pools.POOL.backends.BACKEND.health-check-passes    gauge: passed active health checks so far
 * forwarder.pools.POOL.backends.BACKEND.health-check-failures  gauge: failed active health checks so far
 * forwarder.pools.POOL.backends.BACKEND.connects               meter: connect tries that connected
 * forwarder.pools.POOL.backends.BACKEND.connect-failures       meter: connect tries refused, timed out, unreachable
 * forwarder.pools.POOL.backends.BACKEND.connect-time           timer: start of a try to connected (fixed buckets)
 * forwarder.pools.POOL.backends.BACKEND.bytes-up               counter: bytes relayed from clients to it
 * forwarder.pools.POOL.backends.BACKEND.bytes-down             counter: bytes relayed from it to clients
 * </pre>
 */
public final class MetricNames {

    public static final String ACTIVE_CONNECTIONS = "active-connections";
    public static final String ACCEPTED = "accepted";
    public static final String UNSERVED = "unserved";
    public static final String BYTES_UP = "bytes-up";
    public static final String BYTES_DOWN = "bytes-down";
    public static final String CLOSED = "closed";
    public static final String DURATION = "duration";
    public static final String WAITING = "waiting";
    public static final String AVAILABLE = "available";
    public static final String REJECTED = "rejected";
    public static final String UP = "up";
    public static final String STATE = "state";
    public static final String ADMIN_STATE = "admin-state";
    public static final String WEIGHT = "weight";
    public static final String EFFECTIVE_WEIGHT = "effective-weight";
    public static final String HEALTH_CHECK_PASSES = "health-check-passes";
    public static final String HEALTH_CHECK_FAILURES = "health-check-failures";
    public static final String CONNECTS = "connects";
    public static final String CONNECT_FAILURES = "connect-failures";
    public static final String CONNECT_TIME = "connect-time";

    /** A listener's leaves, but {@code closed.REASON}. */
    static final List<String> LISTENER_LEAVES = List.of(ACTIVE_CONNECTIONS, ACCEPTED, UNSERVED, BYTES_UP,
            BYTES_DOWN, DURATION);
    static final List<String> POOL_LEAVES = List.of(WAITING, AVAILABLE);
    static final List<String> BACKEND_LEAVES = List.of(ACTIVE_CONNECTIONS, UP, STATE, ADMIN_STATE, WEIGHT, EFFECTIVE_WEIGHT,
            HEALTH_CHECK_PASSES, HEALTH_CHECK_FAILURES, CONNECTS, CONNECT_FAILURES, CONNECT_TIME, BYTES_UP,
            BYTES_DOWN);

    private static final String ROOT = "forwarder";
    private static final String LISTENERS = ROOT + ".listeners.";
    private static final String POOLS = ROOT + ".pools.";
    private static final String BACKENDS = ".backends.";

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

    /** A pool's own metric, e.g. {@code pool("web", WAITING)}. */
    public static String pool(String pool, String leaf) {
        return MetricRegistry.name(ROOT, "pools", pool, leaf);
    }

    /** A backend's metric, e.g. {@code backend("web", "127.0.0.1:9001", ACTIVE_CONNECTIONS)}. */
    public static String backend(String pool, String backend, String leaf) {
        return MetricRegistry.name(ROOT, "pools", pool, "backends", backend, leaf);
    }

    /** Where a metric belongs. */
    enum Scope { LISTENER, POOL, BACKEND }

    /**
     * A metric's name taken apart.
     *
     * @param owner the listener's or the pool's name
     * @param backend the backend's name, for {@link Scope#BACKEND}
     * @param reason for a listener's {@code closed.REASON} or {@code rejected.REASON}, the label, else {@code null}
     */
    record Parsed(Scope scope, String owner, String backend, String leaf, String reason) {
    }

    /** {@code name} taken apart, or {@code null} when it is not one of the names above. */
    static Parsed parse(String name) {
        if (name.startsWith(LISTENERS)) {
            String rest = name.substring(LISTENERS.length());
            for (CloseReason reason : CloseReason.values()) {
                String owner = before(rest, CLOSED + "." + reason.label());
                if (owner != null) {
                    return new Parsed(Scope.LISTENER, owner, null, CLOSED, reason.label());
                }
            }
            for (RejectReason reason : RejectReason.values()) {
                String owner = before(rest, REJECTED + "." + reason.label());
                if (owner != null) {
                    return new Parsed(Scope.LISTENER, owner, null, REJECTED, reason.label());
                }
            }
            return leafOf(Scope.LISTENER, rest, null, LISTENER_LEAVES);
        }
        if (name.startsWith(POOLS)) {
            String rest = name.substring(POOLS.length());
            int backends = rest.indexOf(BACKENDS);
            if (backends > 0) {
                Parsed member = leafOf(Scope.BACKEND, rest.substring(backends + BACKENDS.length()), null,
                        BACKEND_LEAVES);
                return member == null ? null
                        : new Parsed(Scope.BACKEND, rest.substring(0, backends), member.owner(), member.leaf(), null);
            }
            return leafOf(Scope.POOL, rest, null, POOL_LEAVES);
        }
        return null;
    }

    private static Parsed leafOf(Scope scope, String rest, String backend, List<String> leaves) {
        for (String leaf : leaves) {
            String owner = before(rest, leaf);
            if (owner != null) {
                return new Parsed(scope, owner, backend, leaf, null);
            }
        }
        return null;
    }

    /** What precedes {@code "." + leaf} at the end of {@code rest}, if something does. */
    private static String before(String rest, String leaf) {
        int cut = rest.length() - leaf.length() - 1;
        return cut > 0 && rest.endsWith(leaf) && rest.charAt(cut) == '.' ? rest.substring(0, cut) : null;
    }
}
