/**
 * Who may connect to a listener, how many at once and how fast, and how soon they must speak: allow/deny by CIDR,
 * {@code max-connections}, {@code max-connections-per-client}, {@code accept-rate-per-client} and
 * {@code first-byte-timeout}. {@link dev.forwarder.core.access.AccessGate} checks a client at accept (or, behind
 * a PROXY header, once the header named it); a refused client never reaches the relay or a backend.
 */
package dev.forwarder.core.access;
