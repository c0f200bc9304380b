package dev.forwarder.app.metrics;

import com.codahale.metrics.MetricRegistry;
import dev.forwarder.core.Backend;
import dev.forwarder.core.CloseReason;
import dev.forwarder.core.ConnectionInfo;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class ListenerMetricsTest {

    private final MetricRegistry registry = new MetricRegistry();
    private final ListenerMetrics metrics = new ListenerMetrics(registry, "web");

    /** A closed connection as the relay would show it. */
    private record Closed(CloseReason closeReason, long acceptedNanos) implements ConnectionInfo {
        @Override
        public String id() {
            return "1";
        }

        @Override
        public String listener() {
            return "web";
        }

        @Override
        public SocketAddress client() {
            return new InetSocketAddress("127.0.0.1", 50000);
        }

        @Override
        public Backend backend() {
            return null;
        }

        @Override
        public List<Backend> failedBackends() {
            return List.of();
        }

        @Override
        public long bytesUp() {
            return 0;
        }

        @Override
        public long bytesDown() {
            return 0;
        }
    }

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
        Closed idle = new Closed(CloseReason.IDLE_TIMEOUT, acceptedAt);
        Closed refused = new Closed(CloseReason.CONNECT_FAILED, acceptedAt);

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

        other.accepted(new Closed(null, System.nanoTime()));

        assertThat(registry.meter(MetricNames.listener("api", MetricNames.ACCEPTED)).getCount()).isOne();
        assertThat(registry.meter(MetricNames.listener("web", MetricNames.ACCEPTED)).getCount()).isZero();
    }
}
