package dev.forwarder.app.metrics;

import dev.forwarder.app.metrics.MetricNames.Parsed;
import dev.forwarder.balancer.AdminState;
import dev.forwarder.balancer.MemberState;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The Prometheus metric families forwarder exports (written in name order) and which Dropwizard metric feeds each
 * ({@link #of}). Names are given without the {@code _total} a counter gets when written.
 */
enum PrometheusFamily {
    LISTENER_ACCEPTED("forwarder_listener_accepted", Kind.COUNTER, "Connections accepted by the listener."),
    LISTENER_ACTIVE("forwarder_listener_active_connections", Kind.GAUGE,
            "Connections accepted by the listener and not yet closed."),
    LISTENER_UNSERVED("forwarder_listener_unserved", Kind.COUNTER, "Connections the listener accepted and closed"
            + " without a backend because none could take them (no-backend, queue-full, queue-timeout,"
            + " connect-failed)."),
    LISTENER_REJECTED("forwarder_listener_rejected", Kind.COUNTER, "Clients refused at accept by access control or a"
            + " limit, by reason (denied, max-connections, max-connections-per-client, accept-rate-per-client)."),
    LISTENER_CLOSED("forwarder_listener_closed", Kind.COUNTER, "Connections ended, by close reason."),
    LISTENER_BYTES("forwarder_listener_bytes", Kind.COUNTER,
            "Bytes relayed: up = read from clients and passed to backends, down = the answers."),
    LISTENER_DURATION("forwarder_listener_session_duration_seconds", Kind.HISTOGRAM,
            "Connection lifetime, accept to close, in seconds."),
    POOL_WAITING("forwarder_pool_waiting_connections", Kind.GAUGE,
            "Connections waiting for a pool member with room (queue-timeout)."),
    POOL_AVAILABLE("forwarder_pool_available", Kind.GAUGE,
            "1 while the pool has a member to offer new connections, else 0."),
    BACKEND_ACTIVE("forwarder_backend_active_connections", Kind.GAUGE,
            "Connections the pool sent to the backend that have not ended."),
    BACKEND_UP("forwarder_backend_up", Kind.GAUGE,
            "1 while the backend takes new connections (state up, admin state enabled), else 0."),
    BACKEND_STATE("forwarder_backend_state", Kind.STATE,
            "The backend's state: 1 for the state it is in, 0 for the others.", labels(MemberState.values())),
    BACKEND_ADMIN_STATE("forwarder_backend_admin_state", Kind.STATE, "What an operator set for the backend through"
            + " the admin API (enabled, draining, disabled): 1 for the one in force, 0 for the others.",
            labels(AdminState.values())),
    BACKEND_WEIGHT("forwarder_backend_weight", Kind.GAUGE, "The backend's configured weight."),
    BACKEND_EFFECTIVE_WEIGHT("forwarder_backend_effective_weight", Kind.GAUGE,
            "The weight strategies use now: the configured one, or less while slow start ramps it up."),
    BACKEND_CONNECTS("forwarder_backend_connects", Kind.COUNTER, "Connect tries to the backend that connected."),
    BACKEND_CONNECT_FAILURES("forwarder_backend_connect_failures", Kind.COUNTER,
            "Connect tries to the backend that were refused, timed out or found it unreachable."),
    BACKEND_CONNECT_DURATION("forwarder_backend_connect_duration_seconds", Kind.HISTOGRAM,
            "Time from the start of a connect try to the backend to the established connection, in seconds."),
    BACKEND_BYTES("forwarder_backend_bytes", Kind.COUNTER,
            "Bytes relayed: up = from clients to the backend, down = from the backend to clients."),
    BACKEND_HEALTH_CHECKS("forwarder_backend_health_checks", Kind.COUNTER,
            "Active health checks of the backend, by result (pass, fail).");

    /** How a family's samples are made from its Dropwizard metrics. */
    enum Kind { COUNTER, GAUGE, STATE, HISTOGRAM }

    final String name;
    final Kind kind;
    final String help;
    /** A {@link Kind#STATE} family's states, one series each; empty for the other kinds. */
    final List<String> states;

    PrometheusFamily(String name, Kind kind, String help) {
        this(name, kind, help, List.of());
    }

    PrometheusFamily(String name, Kind kind, String help, List<String> states) {
        this.name = name;
        this.kind = kind;
        this.help = help;
        this.states = states;
    }

    /** How a state reads in metrics: {@code up}, {@code draining}, ... */
    static String label(Enum<?> state) {
        return state.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static List<String> labels(Enum<?>[] states) {
        return Arrays.stream(states).map(PrometheusFamily::label).toList();
    }

    /**
     * Where a Dropwizard metric goes: its family, and the label it adds to the owner's labels (or {@code null}).
     *
     * @param family {@code null} when it is not exported
     */
    record Series(PrometheusFamily family, String label, String value) {
    }

    static Series of(Parsed metric) {
        return switch (metric.scope()) {
            case LISTENER -> switch (metric.leaf()) {
                case MetricNames.ACCEPTED -> plain(LISTENER_ACCEPTED);
                case MetricNames.ACTIVE_CONNECTIONS -> plain(LISTENER_ACTIVE);
                case MetricNames.UNSERVED -> plain(LISTENER_UNSERVED);
                case MetricNames.REJECTED -> new Series(LISTENER_REJECTED, "reason", metric.reason());
                case MetricNames.CLOSED -> new Series(LISTENER_CLOSED, "reason", metric.reason());
                case MetricNames.BYTES_UP -> new Series(LISTENER_BYTES, "direction", "up");
                case MetricNames.BYTES_DOWN -> new Series(LISTENER_BYTES, "direction", "down");
                case MetricNames.DURATION -> plain(LISTENER_DURATION);
                default -> plain(null);
            };
            case POOL -> switch (metric.leaf()) {
                case MetricNames.WAITING -> plain(POOL_WAITING);
                case MetricNames.AVAILABLE -> plain(POOL_AVAILABLE);
                default -> plain(null);
            };
            case BACKEND -> switch (metric.leaf()) {
                case MetricNames.ACTIVE_CONNECTIONS -> plain(BACKEND_ACTIVE);
                case MetricNames.UP -> plain(BACKEND_UP);
                case MetricNames.STATE -> plain(BACKEND_STATE);
                case MetricNames.ADMIN_STATE -> plain(BACKEND_ADMIN_STATE);
                case MetricNames.WEIGHT -> plain(BACKEND_WEIGHT);
                case MetricNames.EFFECTIVE_WEIGHT -> plain(BACKEND_EFFECTIVE_WEIGHT);
                case MetricNames.CONNECTS -> plain(BACKEND_CONNECTS);
                case MetricNames.CONNECT_FAILURES -> plain(BACKEND_CONNECT_FAILURES);
                case MetricNames.CONNECT_TIME -> plain(BACKEND_CONNECT_DURATION);
                case MetricNames.BYTES_UP -> new Series(BACKEND_BYTES, "direction", "up");
                case MetricNames.BYTES_DOWN -> new Series(BACKEND_BYTES, "direction", "down");
                case MetricNames.HEALTH_CHECK_PASSES -> new Series(BACKEND_HEALTH_CHECKS, "result", "pass");
                case MetricNames.HEALTH_CHECK_FAILURES -> new Series(BACKEND_HEALTH_CHECKS, "result", "fail");
                default -> plain(null);
            };
        };
    }

    private static Series plain(PrometheusFamily family) {
        return new Series(family, null, null);
    }
}
