package dev.forwarder.core.tls;

import dev.forwarder.core.BackendChooser;

import java.util.Objects;

/**
 * A pool a TLS listener may send a connection to once its handshake is done ({@code tls.sni-pools},
 * {@code tls.alpn-pools}).
 *
 * @param name the pool's name, which the connection's {@code tls} note shows ({@code pool=api})
 * @param chooser who chooses the connection's backend in it
 */
public record TlsPool(String name, BackendChooser chooser) {

    public TlsPool {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(chooser, "chooser");
    }
}
