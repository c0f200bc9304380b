package dev.forwarder.core;

import java.net.SocketAddress;

/**
 * Fired by a client-side handler (see {@link ConnectionHandlers#delaysChoice()}) when the relay may choose a backend.
 *
 * @param client the client's real address when the handler learned it (a PROXY-protocol header), or {@code null}
 *     to keep the socket's peer address; the chooser, logs and observers see this address from then on
 * @param destination the address the client connected to when a PROXY header named it, or {@code null} for the
 *     listener's own; a PROXY header sent on to the backend names it
 */
public record ClientReadyEvent(SocketAddress client, SocketAddress destination) {

    /** Ready, with the client's real address (or {@code null}) and the listener's own destination. */
    public ClientReadyEvent(SocketAddress client) {
        this(client, null);
    }
}
