package dev.forwarder.app.metrics;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricRegistry;
import dev.forwarder.balancer.MemberState;
import dev.forwarder.balancer.Pool;
import dev.forwarder.balancer.PoolListener;
import dev.forwarder.balancer.PoolMember;

/**
 * Gauges over a pool's members. The pool already counts each member's connections for its strategy and its
 * failed health checks, so reading them when the registry is reported costs the relay nothing. Members that DNS
 * adds later get their gauges when they join, and lose them when they leave.
 */
public final class PoolMetrics implements PoolListener {

    private final MetricRegistry registry;

    private PoolMetrics(MetricRegistry registry) {
        this.registry = registry;
    }

    /**
     * Registers {@code active-connections}, {@code up} and {@code health-check-failures} for every member of
     * {@code pool}, now and as members join or leave.
     */
    public static void register(MetricRegistry registry, Pool pool) {
        PoolMetrics metrics = new PoolMetrics(registry);
        for (PoolMember member : pool.members()) {
            metrics.memberAdded(pool, member);
        }
        pool.addListener(metrics);
    }

    @Override
    public void memberAdded(Pool pool, PoolMember member) {
        remove(pool, member);
        registry.register(MetricNames.backend(pool.name(), member.name(), MetricNames.ACTIVE_CONNECTIONS),
                (Gauge<Integer>) member::activeConnections);
        registry.register(MetricNames.backend(pool.name(), member.name(), MetricNames.UP),
                (Gauge<Integer>) () -> member.state() == MemberState.UP ? 1 : 0);
        registry.register(MetricNames.backend(pool.name(), member.name(), MetricNames.HEALTH_CHECK_FAILURES),
                (Gauge<Long>) member::healthCheckFailures);
    }

    @Override
    public void memberRemoved(Pool pool, PoolMember member) {
        remove(pool, member);
    }

    private void remove(Pool pool, PoolMember member) {
        for (String leaf : new String[] {MetricNames.ACTIVE_CONNECTIONS, MetricNames.UP,
                MetricNames.HEALTH_CHECK_FAILURES}) {
            registry.remove(MetricNames.backend(pool.name(), member.name(), leaf));
        }
    }
}
