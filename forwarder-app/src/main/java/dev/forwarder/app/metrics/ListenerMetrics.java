package dev.forwarder.app.metrics;

import com.codahale.metrics.Counter;
import com.codahale.metrics.Meter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.Timer;
import com.codahale.metrics.UniformReservoir;
import dev.forwarder.core.CloseReason;
import dev.forwarder.core.ConnectionInfo;
import dev.forwarder.core.ConnectionObserver;
import dev.forwarder.core.access.RejectReason;

import java.net.SocketAddress;

import java.util.concurrent.TimeUnit;

/**
 * Records one listener's connections in a {@link MetricRegistry} under the names of {@link MetricNames}. Every
 * metric is looked up once, here, so the callbacks (on event loops) only add to counters: no lock, no lookup, no
 * allocation. The timer uses a {@link UniformReservoir} because its update is lock-free and allocation-free,
 * unlike the default exponentially decaying one; its percentiles therefore cover the listener's whole life.
 */
public final class ListenerMetrics implements ConnectionObserver {

    private static final CloseReason[] REASONS = CloseReason.values();

    private final Counter active;
    private final Meter accepted;
    private final Meter bytesUp;
    private final Meter bytesDown;
    private final Meter[] closed = new Meter[REASONS.length];
    private final Timer duration;
    private final Meter[] rejected = new Meter[RejectReason.values().length];

    public ListenerMetrics(MetricRegistry registry, String listener) {
        active = registry.counter(MetricNames.listener(listener, MetricNames.ACTIVE_CONNECTIONS));
        accepted = registry.meter(MetricNames.listener(listener, MetricNames.ACCEPTED));
        bytesUp = registry.meter(MetricNames.listener(listener, MetricNames.BYTES_UP));
        bytesDown = registry.meter(MetricNames.listener(listener, MetricNames.BYTES_DOWN));
        for (CloseReason reason : REASONS) {
            closed[reason.ordinal()] = registry.meter(MetricNames.closed(listener, reason));
        }
        for (RejectReason reason : RejectReason.values()) {
            rejected[reason.ordinal()] = registry.meter(MetricNames.rejected(listener, reason));
        }
        duration = registry.timer(MetricNames.listener(listener, MetricNames.DURATION),
                () -> new Timer(new UniformReservoir()));
    }

    @Override
    public void accepted(ConnectionInfo connection) {
        accepted.mark();
        active.inc();
    }

    @Override
    public void relayed(ConnectionInfo connection, boolean upstream, int bytes) {
        (upstream ? bytesUp : bytesDown).mark(bytes);
    }

    @Override
    public void rejected(String listener, SocketAddress client, RejectReason reason) {
        rejected[reason.ordinal()].mark();
    }

    @Override
    public void closed(ConnectionInfo connection) {
        active.dec();
        CloseReason reason = connection.closeReason();
        closed[(reason == null ? CloseReason.ERROR : reason).ordinal()].mark();
        duration.update(System.nanoTime() - connection.acceptedNanos(), TimeUnit.NANOSECONDS);
    }
}
