package dev.forwarder.balancer;

/** Where a pool member stands; only {@link #UP} members get new connections. */
public enum MemberState {
    /** Available: passes its health checks (or has none) and is not cooling down after connect failures. */
    UP,
    /** Its active health checks failed {@code fall} times in a row, or it has not yet passed {@code rise}. */
    DOWN,
    /** Passively taken out: {@code max-fails} connect failures within {@code fail-timeout}; back after that long. */
    FAILED,
    /**
     * Its address vanished from DNS or from the config: no new connections, existing ones finish, then it leaves
     * the pool.
     */
    DRAINING
}
