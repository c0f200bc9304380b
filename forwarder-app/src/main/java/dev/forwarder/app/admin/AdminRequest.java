package dev.forwarder.app.admin;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;

/**
 * A whole admin request, its body copied off the network buffer (so nothing here needs releasing).
 *
 * @param remote the client's IP, for who set a member's state
 */
record AdminRequest(HttpMethod method, String uri, HttpHeaders headers, byte[] body, String remote) {
}
