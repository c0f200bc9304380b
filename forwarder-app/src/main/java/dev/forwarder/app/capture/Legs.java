package dev.forwarder.app.capture;

import java.net.InetSocketAddress;

/**
 * The real addresses of a connection's two legs as known when an event was recorded: client to forwarder
 * ({@code client}, {@code listener}) and forwarder to backend ({@code local}, {@code backend}); the backend leg's
 * are {@code null} until a backend is connected.
 */
record Legs(InetSocketAddress client, InetSocketAddress listener, InetSocketAddress local, InetSocketAddress backend) {

    boolean hasBackend() {
        return local != null && backend != null;
    }
}
