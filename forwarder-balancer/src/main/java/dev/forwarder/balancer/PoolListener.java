package dev.forwarder.balancer;

/**
 * Hears what a pool's members do, so that the assembly can act on the relay and the metrics. Every call comes on
 * the pool's own control thread, one at a time and in order, never on an event loop: a listener may block briefly
 * (e.g. to close a listening socket).
 */
public interface PoolListener {

    /**
     * Whether the pool has any member to offer new connections (an up primary or backup). Called once with the
     * current value when the listener is added, then on every change.
     */
    default void availabilityChanged(Pool pool, boolean available) {
    }

    /** {@code member} changed state, e.g. {@link MemberState#UP} to {@link MemberState#DOWN}. */
    default void memberChanged(Pool pool, PoolMember member, MemberState from, MemberState to) {
    }

    /** An operator set {@code member}'s admin state (drain, disable, enable). */
    default void memberAdminChanged(Pool pool, PoolMember member, AdminState from, AdminState to) {
    }

    /**
     * The pool's {@code on-down} is {@link OnDown#CLOSE_SESSIONS} and {@code member} was just marked down: its
     * open connections should be closed.
     */
    default void closeSessions(Pool pool, PoolMember member) {
    }

    /** A member joined: its hostname resolved to a new address, or a reconfiguration added it. */
    default void memberAdded(Pool pool, PoolMember member) {
    }

    /** A draining member (gone from DNS or from the config) had its last connection end and left the pool. */
    default void memberRemoved(Pool pool, PoolMember member) {
    }
}
