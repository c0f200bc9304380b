package dev.forwarder.app.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import dev.forwarder.balancer.AdminState;
import dev.forwarder.balancer.MemberState;
import dev.forwarder.balancer.PoolMember;

import java.util.concurrent.TimeUnit;

/**
 * One pool member's metrics. What the pool already keeps (active connections, state, weights, health-check counts)
 * is read by gauges when the registry is reported; what only the relay sees (connects, their time, bytes) is
 * counted here by the listeners' observers, through {@link PoolMetrics#of}. The counting methods run on event
 * loops: adders only, no lock, no allocation.
 */
final class BackendMetrics {

    private final String pool;
    private final PoolMember member;
    private final Meter connects = new Meter();
    private final Meter connectFailures = new Meter();
    private final BucketTimer connectTime = new BucketTimer(BucketTimer.CONNECT_SECONDS);
    private final Counter bytesUp = new Counter();
    private final Counter bytesDown = new Counter();

    private BackendMetrics(String pool, PoolMember member) {
        this.pool = pool;
        this.member = member;
    }

    /** Registers every {@link MetricNames#BACKEND_LEAVES} metric of {@code member}, replacing any of that name. */
    static BackendMetrics register(MetricRegistry registry, String pool, PoolMember member) {
        BackendMetrics metrics = new BackendMetrics(pool, member);
        metrics.removeAll(registry);
        metrics.add(registry, MetricNames.ACTIVE_CONNECTIONS, (Gauge<Integer>) member::activeConnections);
        metrics.add(registry, MetricNames.UP, (Gauge<Integer>) () -> member.state() == MemberState.UP
                && member.adminState() == AdminState.ENABLED ? 1 : 0);
        metrics.add(registry, MetricNames.STATE, (Gauge<String>) () -> label(member.state()));
        metrics.add(registry, MetricNames.ADMIN_STATE, (Gauge<String>) () -> label(member.adminState()));
        metrics.add(registry, MetricNames.WEIGHT, (Gauge<Integer>) member::weight);
        metrics.add(registry, MetricNames.EFFECTIVE_WEIGHT, (Gauge<Double>) member::effectiveWeight);
        metrics.add(registry, MetricNames.HEALTH_CHECK_PASSES, (Gauge<Long>) member::healthCheckPasses);
        metrics.add(registry, MetricNames.HEALTH_CHECK_FAILURES, (Gauge<Long>) member::healthCheckFailures);
        metrics.add(registry, MetricNames.CONNECTS, metrics.connects);
        metrics.add(registry, MetricNames.CONNECT_FAILURES, metrics.connectFailures);
        metrics.add(registry, MetricNames.CONNECT_TIME, metrics.connectTime);
        metrics.add(registry, MetricNames.BYTES_UP, metrics.bytesUp);
        metrics.add(registry, MetricNames.BYTES_DOWN, metrics.bytesDown);
        return metrics;
    }

    /** How a state reads in metrics: {@code up}, {@code draining}, ... */
    static String label(Enum<?> state) {
        return PrometheusFamily.label(state);
    }

    private void add(MetricRegistry registry, String leaf, com.codahale.metrics.Metric metric) {
        registry.register(MetricNames.backend(pool, member.name(), leaf), metric);
    }

    /** Removes its metrics, unless a newer member of the same name has registered its own meanwhile. */
    void unregister(MetricRegistry registry) {
        com.codahale.metrics.Metric registered =
                registry.getMetrics().get(MetricNames.backend(pool, member.name(), MetricNames.CONNECTS));
        if (registered == null || registered == connects) {
            removeAll(registry);
        }
    }

    private void removeAll(MetricRegistry registry) {
        for (String leaf : MetricNames.BACKEND_LEAVES) {
            registry.remove(MetricNames.backend(pool, member.name(), leaf));
        }
    }

    String pool() {
        return pool;
    }

    void connectTried(boolean established, long nanos) {
        if (established) {
            connects.mark();
            connectTime.update(nanos, TimeUnit.NANOSECONDS);
        } else {
            connectFailures.mark();
        }
    }

    void relayed(boolean upstream, long bytes) {
        (upstream ? bytesUp : bytesDown).inc(bytes);
    }
}
