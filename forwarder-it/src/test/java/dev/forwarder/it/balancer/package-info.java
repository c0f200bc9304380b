/**
 * Container tests of the balancer (issue 3): active health checks against real servers that are paused, stopped
 * and brought back, failover of connects under a client loop, least-connections with long-lived connections, slow
 * start, DNS membership (members added through Docker's embedded DNS, drained when their address vanishes), and
 * (issue 8) clients resetting during a slow connect, which must leave their backend up.
 * Servers run in containers built from Debian packages ({@link dev.forwarder.it.support.TestImages}).
 * forwarder runs in-process ({@link dev.forwarder.it.balancer.PoolForwarder}), so a test can watch each member's
 * state, or as the packaged jar in a container on the backends' network ({@link
 * dev.forwarder.it.balancer.ForwarderContainer}) where a test needs Docker's DNS or must meet a stopped backend
 * without the host's docker-proxy in between.
 */
package dev.forwarder.it.balancer;
