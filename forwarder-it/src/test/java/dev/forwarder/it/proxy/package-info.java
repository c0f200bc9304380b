/**
 * PROXY protocol against a real server: nginx with {@code listen ... proxy_protocol} in a container behind a pool
 * with {@code send-proxy}, which must see the client's address, not forwarder's.
 */
package dev.forwarder.it.proxy;
