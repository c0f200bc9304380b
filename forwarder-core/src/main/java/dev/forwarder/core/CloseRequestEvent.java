package dev.forwarder.core;

/**
 * Fired down the client pipeline by a client-side handler ({@link ConnectionHandlers}) that ends its connection:
 * the relay closes both sides with {@code reason}, which the close log line and metrics report. A handler
 * fires it instead of closing the channel itself, which the relay would take for a reset.
 */
public record CloseRequestEvent(CloseReason reason) {
}
