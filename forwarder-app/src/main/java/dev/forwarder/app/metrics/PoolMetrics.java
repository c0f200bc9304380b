package dev.forwarder.app.metrics;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import dev.forwarder.balancer.Pool;
import dev.forwarder.balancer.PoolMember;

/**
 * Gauges over a pool's members. The pool already counts each member's connections for its strategy, so reading
 * that count when the registry is reported costs the relay nothing.
 */
public final class PoolMetrics {

    private PoolMetrics() {
    }

    /** Registers {@code active-connections} for every member of {@code pool}. */
    public static void register(MetricRegistry registry, Pool pool) {
        for (PoolMember member : pool.members()) {
            registry.register(MetricNames.backend(pool.name(), member.name(), MetricNames.ACTIVE_CONNECTIONS),
                    (Gauge<Integer>) member::activeConnections);
        }
    }
}
