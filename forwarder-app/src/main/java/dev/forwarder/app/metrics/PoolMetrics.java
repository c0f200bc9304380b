package dev.forwarder.app.metrics;

import com.codahale.metrics.Gauge;
import com.codahale.metrics.MetricFilter;
import com.codahale.metrics.MetricRegistry;
import dev.forwarder.balancer.Pool;
import dev.forwarder.balancer.PoolListener;
import dev.forwarder.balancer.PoolMember;
import dev.forwarder.core.Backend;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The metrics of a forwarder's pools and their members ({@link BackendMetrics}), registered as pools start and
 * members join, removed as members leave and pools go. Listeners find a member's metrics with {@link #of}: a
 * lookup in a {@link ConcurrentHashMap} keyed by the member itself (identity), lock-free and allocation-free, so
 * a relayed read can count its bytes per backend.
 */
public final class PoolMetrics {

    private final MetricRegistry registry;
    private final Map<Backend, BackendMetrics> members = new ConcurrentHashMap<>();
    private final Set<Pool> pools = ConcurrentHashMap.newKeySet();
    private final Members listener = new Members();

    public PoolMetrics(MetricRegistry registry) {
        this.registry = registry;
    }

    /** Registers {@code pool}'s gauges and every member's metrics, now and as members join or leave. */
    public void register(Pool pool) {
        pools.add(pool);
        registry.register(MetricNames.pool(pool.name(), MetricNames.WAITING), (Gauge<Integer>) pool::waiting);
        registry.register(MetricNames.pool(pool.name(), MetricNames.AVAILABLE),
                (Gauge<Integer>) () -> pool.available() ? 1 : 0);
        for (PoolMember member : pool.members()) {
            listener.memberAdded(pool, member);
        }
        pool.addListener(listener);
    }

    /** Removes every metric of {@code pool} and its members; a pool that is gone. */
    public void unregister(Pool pool) {
        pools.remove(pool);
        members.values().removeIf(metrics -> metrics.pool().equals(pool.name()));
        registry.removeMatching(MetricFilter.startsWith(MetricNames.pool(pool.name()) + "."));
    }

    /** The metrics of {@code backend}, or {@code null} when it is no member of a registered pool (any more). */
    BackendMetrics of(Backend backend) {
        return backend == null ? null : members.get(backend);
    }

    private final class Members implements PoolListener {

        @Override
        public void memberAdded(Pool pool, PoolMember member) {
            if (pools.contains(pool)) {
                members.put(member, BackendMetrics.register(registry, pool.name(), member));
            }
        }

        @Override
        public void memberRemoved(Pool pool, PoolMember member) {
            BackendMetrics metrics = members.remove(member);
            if (metrics != null) {
                metrics.unregister(registry);
            }
        }
    }
}
