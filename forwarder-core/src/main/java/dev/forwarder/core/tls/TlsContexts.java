package dev.forwarder.core.tls;

import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig.Protocol;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;

import javax.net.ssl.SSLException;
import java.io.ByteArrayInputStream;
import java.util.List;

/** Builds Netty {@link SslContext}s from PEM bytes, so that a file read once is the file checked and used. */
public final class TlsContexts {

    private TlsContexts() {
    }

    /**
     * A server context.
     *
     * @param chain the certificate chain, PEM, leaf first
     * @param key its private key, PEM (PKCS#8, unencrypted)
     * @param alpn the protocols offered, in preference order; empty for no ALPN
     * @throws SSLException when the chain or key cannot be read or do not belong together
     */
    public static SslContext server(byte[] chain, byte[] key, List<String> alpn, SslProvider provider)
            throws SSLException {
        try {
            SslContextBuilder builder = SslContextBuilder.forServer(new ByteArrayInputStream(chain),
                    new ByteArrayInputStream(key)).sslProvider(provider);
            if (!alpn.isEmpty()) {
                builder.applicationProtocolConfig(alpn(alpn));
            }
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw new SSLException(e.getMessage(), e);
        }
    }

    /**
     * A client context.
     *
     * @param ca the certificates to trust, PEM, or {@code null} for the JDK's default trust store
     * @param verify whether the backend's certificate chain and name are checked; without, anything is trusted
     * @param alpn the protocols offered; empty for none
     */
    public static SslContext client(byte[] ca, boolean verify, List<String> alpn, SslProvider provider)
            throws SSLException {
        try {
            SslContextBuilder builder = SslContextBuilder.forClient().sslProvider(provider);
            if (!verify) {
                builder.trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null);
            } else {
                builder.endpointIdentificationAlgorithm("HTTPS");
                if (ca != null) {
                    builder.trustManager(new ByteArrayInputStream(ca));
                }
            }
            if (!alpn.isEmpty()) {
                builder.applicationProtocolConfig(alpn(alpn));
            }
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw new SSLException(e.getMessage(), e);
        }
    }

    private static ApplicationProtocolConfig alpn(List<String> protocols) {
        // No common protocol: the handshake goes on without ALPN (as nginx and HAProxy do), the client decides.
        return new ApplicationProtocolConfig(Protocol.ALPN, SelectorFailureBehavior.NO_ADVERTISE,
                SelectedListenerFailureBehavior.ACCEPT, protocols);
    }
}
