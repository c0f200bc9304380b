/**
 * forwarder's metrics: Dropwizard Metrics is the registry, and {@link dev.forwarder.app.metrics.PrometheusMetrics}
 * exports it with labels for {@code GET /metrics}. {@link dev.forwarder.app.metrics.ListenerMetrics} observes each
 * listener's connections (and counts what they do to each backend), {@link dev.forwarder.app.metrics.PoolMetrics}
 * registers the pools' and members' metrics, {@link dev.forwarder.app.metrics.MetricNames} says what every metric is
 * called and reads names back into labels.
 */
package dev.forwarder.app.metrics;
