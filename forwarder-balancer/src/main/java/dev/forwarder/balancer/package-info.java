/**
 * Backend pools and how they spread connections: {@link dev.forwarder.balancer.Pool} (a
 * {@link dev.forwarder.core.BackendChooser} over configured {@link dev.forwarder.balancer.BackendSpec}s, primaries
 * before backups) and the {@link dev.forwarder.balancer.BalancingStrategy} it picks with: round-robin, least
 * connections, power of two random choices and Maglev consistent hashing. Strategies are hidden final classes
 * behind the interface's static factories; each picks lock-free from an immutable member list and caches what it
 * derives from that list (a schedule, a lookup table) in a {@code SnapshotCache}.
 */
package dev.forwarder.balancer;
