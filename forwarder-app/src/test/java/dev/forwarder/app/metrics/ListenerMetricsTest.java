package dev.forwarder.app.metrics;

import com.codahale.metrics.MetricRegistry;
import dev.forwarder.app.TestConnection;
import dev.forwarder.core.CloseReason;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class ListenerMetricsTest {

    private final MetricRegistry registry = new MetricRegistry();
    private final ListenerMetrics metrics = new ListenerMetrics(registry, "web");

    @Test
    void registersEveryMetricUnderItsDocumentedName() {
        assertThat(registry.getNames()).contains(
                "forwarder.listeners.web.active-connections",
                "forwarder.listeners.web.accepted",
                "forwarder.listeners.web.unserved",
                "forwarder.listeners.web.bytes-up",
                "forwarder.listeners.web.bytes-down",
                "forwarder.listeners.web.duration",
                "forwarder.listeners.web.closed.client-closed",
                "forwarder.listeners.web.closed.idle-timeout",
                "forwarder.listeners.web.closed.connect-failed");
        assertThat(registry.getNames()).contains("forwarder.listeners.web.rejected.denied",
                "forwarder.listeners.web.rejected.max-connections-per-client",
                "forwarder.listeners.web.closed.first-byte-timeout", "forwarder.listeners.web.closed.rejected");
        assertThat(registry.getNames()).hasSize(6 + CloseReason.values().length
                + dev.forwarder.core.access.RejectReason.values().length);
    }

    @Test
    void countsConnectionsBytesAndWhyTheyClosed() {
        long acceptedAt = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(250);
        TestConnection idle = TestConnection.closed(CloseReason.IDLE_TIMEOUT, acceptedAt);
        TestConnection refused = TestConnection.closed(CloseReason.CONNECT_FAILED, acceptedAt);

        metrics.accepted(idle);
        metrics.accepted(refused);
        assertThat(registry.counter(MetricNames.listener("web", MetricNames.ACTIVE_CONNECTIONS)).getCount())
                .isEqualTo(2);
        metrics.relayed(idle, true, 100);
        metrics.relayed(idle, false, 7000);
        metrics.relayed(idle, true, 20);
        metrics.closed(idle);
        metrics.closed(refused);

        assertThat(registry.counter(MetricNames.listener("web", MetricNames.ACTIVE_CONNECTIONS)).getCount()).isZero();
        assertThat(registry.meter(MetricNames.listener("web", MetricNames.ACCEPTED)).getCount()).isEqualTo(2);
        assertThat(registry.meter(MetricNames.listener("web", MetricNames.BYTES_UP)).getCount()).isEqualTo(120);
        assertThat(registry.meter(MetricNames.listener("web", MetricNames.BYTES_DOWN)).getCount()).isEqualTo(7000);
        assertThat(registry.meter(MetricNames.closed("web", CloseReason.IDLE_TIMEOUT)).getCount()).isOne();
        assertThat(registry.meter(MetricNames.closed("web", CloseReason.CONNECT_FAILED)).getCount()).isOne();
        assertThat(registry.meter(MetricNames.closed("web", CloseReason.CLIENT_CLOSED)).getCount()).isZero();
        assertThat(registry.meter(MetricNames.listener("web", MetricNames.UNSERVED)).getCount()).isOne();
        assertThat(registry.timer(MetricNames.listener("web", MetricNames.DURATION)).getSnapshot().getMin())
                .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(250));
    }

    @Test
    void twoListenersKeepSeparateMetrics() {
        ListenerMetrics other = new ListenerMetrics(registry, "api");

        other.accepted(TestConnection.closed(null, System.nanoTime()));

        assertThat(registry.meter(MetricNames.listener("api", MetricNames.ACCEPTED)).getCount()).isOne();
        assertThat(registry.meter(MetricNames.listener("web", MetricNames.ACCEPTED)).getCount()).isZero();
    }
}
