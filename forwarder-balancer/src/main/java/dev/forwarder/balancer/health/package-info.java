/**
 * Active health checks: {@link dev.forwarder.balancer.health.HealthCheckSettings} (tcp, send-expect, http; interval,
 * timeout, rise, fall, jitter) and the {@link dev.forwarder.balancer.health.HealthChecker} that runs them on the
 * relay's event loops, one per-member schedule ({@code MemberCheck}) and one {@code Probe} handler per check.
 */
package dev.forwarder.balancer.health;
