package dev.forwarder.app.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import dev.forwarder.core.Backend;
import dev.forwarder.core.CloseReason;
import dev.forwarder.core.ConnectionInfo;
import dev.forwarder.core.ConnectionObserver;
import dev.forwarder.core.access.RejectReason;

import java.net.SocketAddress;

import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Records one listener's connections in a {@link MetricRegistry} under the names of {@link MetricNames}, and what
 * they do to each backend in that backend's {@link BackendMetrics}. Every listener metric is looked up once, here,
 * and a backend's with one {@link PoolMetrics#of} map read, so the callbacks (on event loops) only add to
 * counters: no lock, no allocation. The duration timer counts into fixed buckets ({@link BucketTimer}), which
 * is lock-free and allocation-free too, and is what Prometheus histograms need.
 */
public final class ListenerMetrics implements ConnectionObserver {

    private static final CloseReason[] REASONS = CloseReason.values();
    /** The ends that count as unserved: forwarder found no backend to take the connection. */
    static final Set<CloseReason> REJECTIONS = EnumSet.of(CloseReason.NO_BACKEND, CloseReason.QUEUE_FULL,
            CloseReason.QUEUE_TIMEOUT, CloseReason.CONNECT_FAILED);

    private final Counter active;
    private final Meter accepted;
    private final Meter unserved;
    private final Meter bytesUp;
    private final Meter bytesDown;
    private final Meter[] closed = new Meter[REASONS.length];
    private final boolean[] rejection = new boolean[REASONS.length];
    private final Timer duration;
    private final PoolMetrics backends;
    private final Meter[] rejected = new Meter[RejectReason.values().length];

    /** A listener's metrics without per-backend counts. */
    public ListenerMetrics(MetricRegistry registry, String listener) {
        this(registry, listener, null);
    }

    /** @param backends where the backends' metrics are, or {@code null} to count none */
    public ListenerMetrics(MetricRegistry registry, String listener, PoolMetrics backends) {
        this.backends = backends;
        active = registry.counter(MetricNames.listener(listener, MetricNames.ACTIVE_CONNECTIONS));
        accepted = registry.meter(MetricNames.listener(listener, MetricNames.ACCEPTED));
        unserved = registry.meter(MetricNames.listener(listener, MetricNames.UNSERVED));
        bytesUp = registry.meter(MetricNames.listener(listener, MetricNames.BYTES_UP));
        bytesDown = registry.meter(MetricNames.listener(listener, MetricNames.BYTES_DOWN));
        for (CloseReason reason : REASONS) {
            closed[reason.ordinal()] = registry.meter(MetricNames.closed(listener, reason));
            rejection[reason.ordinal()] = REJECTIONS.contains(reason);
        }
        for (RejectReason reason : RejectReason.values()) {
            rejected[reason.ordinal()] = registry.meter(MetricNames.rejected(listener, reason));
        }
        duration = registry.timer(MetricNames.listener(listener, MetricNames.DURATION),
                () -> new BucketTimer(BucketTimer.SESSION_SECONDS));
    }

    @Override
    public void accepted(ConnectionInfo connection) {
        accepted.mark();
        active.inc();
    }

    @Override
    public void connectTried(ConnectionInfo connection, Backend backend, boolean established, long nanos) {
        BackendMetrics metrics = backend(backend);
        if (metrics != null) {
            metrics.connectTried(established, nanos);
            if (established) {
                // From now on relayed() finds this backend; what the client sent while it connected goes to it too.
                metrics.relayed(true, connection.bytesUp());
                metrics.relayed(false, connection.bytesDown());
            }
        }
    }

    @Override
    public void relayed(ConnectionInfo connection, boolean upstream, int bytes) {
        (upstream ? bytesUp : bytesDown).mark(bytes);
        BackendMetrics metrics = backend(connection.backend());
        if (metrics != null) {
            metrics.relayed(upstream, bytes);
        }
    }

    @Override
    public void rejected(String listener, SocketAddress client, RejectReason reason) {
        rejected[reason.ordinal()].mark();
    }

    @Override
    public void closed(ConnectionInfo connection) {
        active.dec();
        CloseReason reason = connection.closeReason();
        int index = (reason == null ? CloseReason.ERROR : reason).ordinal();
        closed[index].mark();
        if (rejection[index]) {
            unserved.mark();
        }
        duration.update(System.nanoTime() - connection.acceptedNanos(), TimeUnit.NANOSECONDS);
    }

    private BackendMetrics backend(Backend backend) {
        return backends == null ? null : backends.of(backend);
    }
}
