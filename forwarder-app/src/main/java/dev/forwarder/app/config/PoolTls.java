package dev.forwarder.app.config;

import dev.forwarder.core.tls.TlsProvider;
import io.netty.handler.ssl.SslContext;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * A pool's {@code tls} block: TLS origination to its backends.
 *
 * @param enabled whether connections to the backends speak TLS
 * @param caFile the PEM certificates trusted, as resolved, or {@code null} for the JDK's default trust store
 * @param verify whether the chain and the name are verified (on by default)
 * @param serverName the name sent as SNI and verified, or {@code ""} for each backend's configured host
 * @param alpn protocols offered by ALPN; empty for none
 * @param provider the engine asked for
 * @param digest SHA-256 over the CA bytes read: a reload that finds new content is a change
 * @param context the client context; not part of equality (the digest stands for it)
 */
public record PoolTls(boolean enabled, Path caFile, boolean verify, String serverName, List<String> alpn,
        TlsProvider provider, String digest, SslContext context) {

    /** No TLS. */
    public static final PoolTls OFF = new PoolTls(false, null, true, "", List.of(), TlsProvider.AUTO, "", null);

    public PoolTls {
        alpn = List.copyOf(alpn);
        Objects.requireNonNull(serverName, "serverName");
        Objects.requireNonNull(provider, "provider");
        Objects.requireNonNull(digest, "digest");
        if (enabled && context == null) {
            throw new IllegalArgumentException("context: null (expected: a client context when enabled)");
        }
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof PoolTls that && enabled == that.enabled && Objects.equals(caFile, that.caFile)
                && verify == that.verify && serverName.equals(that.serverName) && alpn.equals(that.alpn)
                && provider == that.provider && digest.equals(that.digest);
    }

    @Override
    public int hashCode() {
        return Objects.hash(enabled, caFile, verify, serverName, alpn, provider, digest);
    }
}
