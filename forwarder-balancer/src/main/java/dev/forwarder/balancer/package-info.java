/**
 * Backend pools and how they spread connections: {@link dev.forwarder.balancer.Pool} (a
 * {@link dev.forwarder.core.BackendChooser} over configured {@link dev.forwarder.balancer.BackendSpec}s, primaries
 * before backups, with per-member limits and a wait queue) and the {@link dev.forwarder.balancer.BalancingStrategy}
 * it picks with: round-robin, least connections, power of two random choices and Maglev consistent hashing.
 * Strategies are hidden final classes behind the interface's static factories; each picks lock-free from an
 * immutable member list and caches what it derives from that list (a schedule, a lookup table) in a
 * {@code SnapshotCache}.
 *
 * <p>Member health lives here too: each {@link dev.forwarder.balancer.PoolMember} has a
 * {@link dev.forwarder.balancer.MemberState}, changed only on the pool's control thread ({@code PoolControl}) by
 * active checks (package {@code health}, run for the pool by {@code PoolChecks}), passive connect-failure counting,
 * cool-downs, slow-start ramps, DNS refreshes ({@code PoolResolver}) and reconfigurations
 * ({@link dev.forwarder.balancer.Pool#reconfigure}, reconciled by address in {@code MemberReconciler});
 * {@link dev.forwarder.balancer.PoolListener}s hear about it. Apart from its health, a member has an
 * {@link dev.forwarder.balancer.AdminState} an operator sets ({@link dev.forwarder.balancer.Pool#setAdminState}:
 * drain, disable, enable, with who and when in {@link dev.forwarder.balancer.MemberAdmin}), and may have a runtime
 * weight; only an up and enabled member is picked. The pick path reads one {@code PoolSnapshot};
 * connections waiting for room queue in a {@code WaitQueue}.
 */
package dev.forwarder.balancer;
