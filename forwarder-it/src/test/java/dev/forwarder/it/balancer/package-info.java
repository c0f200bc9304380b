/**
 * Container tests of the balancer (issue 3): active health checks against real servers that are paused, stopped
 * and brought back, failover of connects under a client loop, least-connections with long-lived connections, slow
 * start and DNS membership through Docker's embedded DNS. Servers run in containers built from Debian packages
 * ({@link dev.forwarder.it.balancer.BalancerImages}); forwarder runs in-process ({@link
 * dev.forwarder.it.balancer.PoolForwarder}), so a test can watch each member's state, except in {@code
 * DnsMembershipIT}, which runs the packaged jar in a container because only there do network aliases resolve.
 */
package dev.forwarder.it.balancer;
