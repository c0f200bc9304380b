package dev.forwarder.balancer;

/** What happens to a member's open connections when its health checks mark it {@link MemberState#DOWN}. */
public enum OnDown {
    /** They carry on; only new connections go elsewhere (HAProxy's and nginx's default). */
    KEEP_SESSIONS,
    /** They are closed at once, so clients reconnect to a healthy member. */
    CLOSE_SESSIONS
}
