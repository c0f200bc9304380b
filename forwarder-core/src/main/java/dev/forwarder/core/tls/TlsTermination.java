package dev.forwarder.core.tls;

import dev.forwarder.core.BackendChooser;
import dev.forwarder.core.ConnectionHandlers;
import dev.forwarder.core.ConnectionInfo;
import dev.forwarder.core.access.FirstByteHandler;
import dev.forwarder.core.proxy.ProxyHeaderHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;

import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A listener's TLS termination: client-side handlers {@code tls} (Netty's {@link SniHandler}, which reads the
 * ClientHello's server name and becomes an {@code SslHandler}) and {@code tls-session} ({@link TlsServerHandler}),
 * in front of the relay. The backend is chosen only once the handshake is done, by the pool the server name maps to
 * ({@code tls.sni-pools}), else the listener's own; the relay learns protocol, server name and ALPN protocol for its
 * logs. Never splices: the bytes must pass the TLS engine. Immutable and shared by the listener's connections.
 */
public final class TlsTermination implements ConnectionHandlers {

    /** The handler that reads the ClientHello, then the {@code SslHandler} in its place. */
    public static final String NAME = "tls";
    /** {@link TlsServerHandler}. */
    public static final String SESSION = "tls-session";
    /** The longest ClientHello accepted (a post-quantum key share makes one of about 2 KiB). */
    static final int MAX_CLIENT_HELLO = 64 * 1024;

    private final SslContext context;
    private final Map<String, BackendChooser> byServerName;
    private final long handshakeTimeoutMillis;
    private final String listener;

    /**
     * @param byServerName the chooser for each server name (lower case, no trailing dot); a name not in it, or no
     *     name, goes to the listener's chooser
     */
    public TlsTermination(String listener, SslContext context, Map<String, ? extends BackendChooser> byServerName,
            long handshakeTimeoutMillis) {
        this.listener = Objects.requireNonNull(listener, "listener");
        this.context = Objects.requireNonNull(context, "context");
        this.byServerName = Map.copyOf(byServerName);
        if (handshakeTimeoutMillis <= 0) {
            throw new IllegalArgumentException("handshakeTimeoutMillis: " + handshakeTimeoutMillis
                    + " (expected: > 0)");
        }
        this.handshakeTimeoutMillis = handshakeTimeoutMillis;
    }

    @Override
    public void addTo(ChannelPipeline pipeline, ConnectionInfo connection) {
        // A PROXY header or the first-byte timeout in front fire a ready event of their own, which waits here for
        // the handshake: the relay must choose once, after it.
        boolean upstreamReady = pipeline.get(ProxyHeaderHandler.NAME) != null
                || pipeline.get(FirstByteHandler.NAME) != null;
        pipeline.addLast(NAME, new SniHandler(name -> context, MAX_CLIENT_HELLO, handshakeTimeoutMillis));
        pipeline.addLast(SESSION, new TlsServerHandler(this, connection, upstreamReady));
    }

    @Override
    public boolean delaysChoice() {
        return true;
    }

    String listener() {
        return listener;
    }

    /** The chooser for {@code serverName}, or {@code null} for the listener's own. */
    BackendChooser chooserFor(String serverName) {
        if (serverName == null || byServerName.isEmpty()) {
            return null;
        }
        return byServerName.get(normalize(serverName));
    }

    /** A server name as {@code tls.sni-pools} keys it: lower case, without a trailing dot. */
    public static String normalize(String serverName) {
        String lower = serverName.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }
}
