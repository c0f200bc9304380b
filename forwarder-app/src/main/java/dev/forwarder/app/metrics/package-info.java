/**
 * Dropwizard Metrics for the relay: {@link dev.forwarder.app.metrics.ListenerMetrics} observes each listener's
 * connections; {@link dev.forwarder.app.metrics.MetricNames} says what every metric is called.
 */
package dev.forwarder.app.metrics;
