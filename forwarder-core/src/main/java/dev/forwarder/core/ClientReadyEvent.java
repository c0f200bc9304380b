package dev.forwarder.core;

import java.net.SocketAddress;

/**
 * Fired by a client-side handler (see {@link ConnectionHandlers#delaysChoice()}) when the relay may choose a backend.
 *
 * @param client the client's real address when the handler learned it (a PROXY-protocol header), or {@code null}
 *     to keep the socket's peer address; the chooser, logs and observers see this address from then on
 * @param destination the address the client connected to when a PROXY header named it, or {@code null} for the
 *     listener's own; a PROXY header sent on to the backend names it
 * @param chooser who chooses this connection's backend instead of the listener's chooser (a pool a TLS server name
 *     or ALPN protocol picked), or {@code null} for the listener's; its connect policy and backend-side handlers
 *     apply. Only handlers that turn splice off ({@link ConnectionHandlers#allowsSplice()} {@code false}) may name one
 * @param tls what a TLS handshake settled and the pool it picked
 *     ({@code TLSv1.3 sni=api.example.com alpn=h2 pool=api pool_by=sni}), or {@code null}; the close line and the
 *     live connection show it
 */
public record ClientReadyEvent(SocketAddress client, SocketAddress destination, BackendChooser chooser, String tls) {

    /** Ready, with the client's real address (or {@code null}) and the listener's own destination. */
    public ClientReadyEvent(SocketAddress client) {
        this(client, null);
    }

    /** Ready, for the listener's own chooser. */
    public ClientReadyEvent(SocketAddress client, SocketAddress destination) {
        this(client, destination, null, null);
    }
}
