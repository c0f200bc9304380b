/**
 * The relay's handlers and per-connection state. Internal to forwarder-core: other modules use
 * {@link dev.forwarder.core.RelayServer}.
 */
package dev.forwarder.core.relay;
