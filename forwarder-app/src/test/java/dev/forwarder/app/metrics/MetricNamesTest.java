package dev.forwarder.app.metrics;

import dev.forwarder.app.metrics.MetricNames.Parsed;
import dev.forwarder.app.metrics.MetricNames.Scope;
import dev.forwarder.core.CloseReason;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class MetricNamesTest {

    @Test
    void readsBackendNamesWithDotsAndColonsBackFromTheirLeaf() {
        assertThat(MetricNames.parse(MetricNames.backend("web", "10.0.0.11:8080", MetricNames.CONNECT_FAILURES)))
                .isEqualTo(new Parsed(Scope.BACKEND, "web", "10.0.0.11:8080", MetricNames.CONNECT_FAILURES, null));
        assertThat(MetricNames.parse(MetricNames.backend("db", "[::ffff:10.0.0.1]:5432", MetricNames.BYTES_UP)))
                .isEqualTo(new Parsed(Scope.BACKEND, "db", "[::ffff:10.0.0.1]:5432", MetricNames.BYTES_UP, null));
        // "up" and "weight" are also the ends of other leaves.
        assertThat(MetricNames.parse(MetricNames.backend("web", "10.0.0.1:80", MetricNames.UP)).leaf())
                .isEqualTo(MetricNames.UP);
        assertThat(MetricNames.parse(MetricNames.backend("web", "10.0.0.1:80", MetricNames.EFFECTIVE_WEIGHT))
                .leaf()).isEqualTo(MetricNames.EFFECTIVE_WEIGHT);
    }

    @Test
    void readsListenersPoolsAndCloseReasons() {
        assertThat(MetricNames.parse(MetricNames.closed("edge.v2", CloseReason.IDLE_TIMEOUT)))
                .isEqualTo(new Parsed(Scope.LISTENER, "edge.v2", null, MetricNames.CLOSED, "idle-timeout"));
        assertThat(MetricNames.parse(MetricNames.rejected("edge.v2", dev.forwarder.core.access.RejectReason.DENIED)))
                .isEqualTo(new Parsed(Scope.LISTENER, "edge.v2", null, MetricNames.REJECTED, "denied"));
        assertThat(MetricNames.parse(MetricNames.listener("web", MetricNames.UNSERVED)))
                .isEqualTo(new Parsed(Scope.LISTENER, "web", null, MetricNames.UNSERVED, null));
        assertThat(MetricNames.parse(MetricNames.listener("web", MetricNames.DURATION)))
                .isEqualTo(new Parsed(Scope.LISTENER, "web", null, MetricNames.DURATION, null));
        assertThat(MetricNames.parse(MetricNames.pool("web", MetricNames.WAITING)))
                .isEqualTo(new Parsed(Scope.POOL, "web", null, MetricNames.WAITING, null));
    }

    @Test
    void leavesOtherNamesAlone() {
        assertThat(MetricNames.parse("jvm.memory.heap")).isNull();
        assertThat(MetricNames.parse("forwarder.listeners.web.something-else")).isNull();
        assertThat(MetricNames.parse("forwarder.listeners.accepted")).isNull();
    }
}
