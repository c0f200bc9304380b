/**
 * The PROXY protocol (HAProxy's, v1 text and v2 binary) through Netty's {@code netty-codec-haproxy}: accepted on a
 * listener behind another balancer ({@code accept-proxy}), whose header names the real client, and sent to a pool's
 * backends ({@code send-proxy}), so that they learn it.
 */
package dev.forwarder.core.proxy;
