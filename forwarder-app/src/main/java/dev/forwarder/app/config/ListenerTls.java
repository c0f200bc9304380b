package dev.forwarder.app.config;

import dev.forwarder.core.tls.TlsProvider;
import io.netty.handler.ssl.SslContext;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A listener's {@code tls} block: TLS termination, on where a {@code certificate} is set.
 *
 * @param certificate the PEM chain, leaf first, as resolved (relative paths against the directory of the file the
 *     key is written in), or {@code null} for no TLS
 * @param key its PEM private key (PKCS#8, unencrypted)
 * @param sniPools pool names by server name (lower case, no trailing dot); other names go to the listener's pool
 * @param alpnPools pool names by ALPN protocol, each one {@code alpn} offers; for a connection whose server name
 *     picked none; other protocols, and none, go to the listener's pool
 * @param alpn protocols offered by ALPN, in preference order; empty for no ALPN
 * @param provider the engine asked for
 * @param handshakeTimeout how long a client may take from accept to a finished handshake; &gt; 0
 * @param digest SHA-256 over the certificate and key bytes read: a reload that finds new content is a change
 * @param context the server context built from those bytes; not part of equality (the digest stands for it)
 */
public record ListenerTls(Path certificate, Path key, Map<String, String> sniPools, Map<String, String> alpnPools,
        List<String> alpn, TlsProvider provider, Duration handshakeTimeout, String digest, SslContext context) {

    /** No TLS. */
    public static final ListenerTls OFF = new ListenerTls(null, null, Map.of(), Map.of(), List.of(), TlsProvider.AUTO,
            Duration.ofSeconds(10), "", null);

    public ListenerTls {
        sniPools = Map.copyOf(sniPools);
        alpnPools = Map.copyOf(alpnPools);
        alpn = List.copyOf(alpn);
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        Objects.requireNonNull(digest, "digest");
        if (certificate != null && context == null) {
            throw new IllegalArgumentException("context: null (expected: the context built from " + certificate + ")");
        }
    }

    /** Whether the listener terminates TLS. */
    public boolean enabled() {
        return certificate != null;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof ListenerTls that && Objects.equals(certificate, that.certificate)
                && Objects.equals(key, that.key) && sniPools.equals(that.sniPools)
                && alpnPools.equals(that.alpnPools) && alpn.equals(that.alpn)
                && provider == that.provider && handshakeTimeout.equals(that.handshakeTimeout)
                && digest.equals(that.digest);
    }

    @Override
    public int hashCode() {
        return Objects.hash(certificate, key, sniPools, alpnPools, alpn, provider, handshakeTimeout, digest);
    }
}
