package dev.forwarder.core;

import java.net.SocketAddress;

/**
 * Fired by a client-side handler (see {@link ConnectionHandlers#delaysChoice()}) when the relay may choose a backend.
 *
 * @param client the client's real address when the handler learned it (a PROXY-protocol header), or {@code null}
 *     to keep the socket's peer address; the chooser, logs and observers see this address from then on
 */
public record ClientReadyEvent(SocketAddress client) {
}
