package dev.forwarder.core.tls;

import dev.forwarder.core.BackendChooser;
import dev.forwarder.core.ConnectionHandlers;
import dev.forwarder.core.ConnectionInfo;
import dev.forwarder.core.access.FirstByteHandler;
import dev.forwarder.core.proxy.ProxyHeaderHandler;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * A listener's TLS termination: client-side handlers {@code tls} (Netty's {@link SniHandler}, which reads the
 * ClientHello's server name and becomes an {@code SslHandler}) and {@code tls-session} ({@link TlsServerHandler}),
 * in front of the relay. The backend is chosen only once the handshake is done, in the pool the server name maps to
 * ({@code tls.sni-pools}), else the one the agreed ALPN protocol maps to ({@code tls.alpn-pools}), else the
 * listener's own; the relay learns protocol, server name, ALPN protocol and the pool picked and why for its logs
 * ({@code TLSv1.3 sni=- alpn=h2 pool=grpc pool_by=alpn}). Never splices: the bytes must pass the TLS engine.
 * Immutable and shared by the listener's connections.
 */
public final class TlsTermination implements ConnectionHandlers {

    /** The handler that reads the ClientHello, then the {@code SslHandler} in its place. */
    public static final String NAME = "tls";
    /** {@link TlsServerHandler}. */
    public static final String SESSION = "tls-session";
    /** The longest ClientHello accepted (a post-quantum key share makes one of about 2 KiB). */
    static final int MAX_CLIENT_HELLO = 64 * 1024;

    private final SslContext context;
    private final Route own;
    private final Map<String, Route> byServerName;
    private final Map<String, Route> byAlpn;
    private final long handshakeTimeoutMillis;
    private final String listener;

    /**
     * @param pool the name of the listener's own pool, whose chooser the relay already has
     * @param byServerName the pool for each server name (lower case, no trailing dot); first choice
     * @param byAlpn the pool for each ALPN protocol (as offered, case and all), for a connection whose server name
     *     picked none; a protocol the context does not offer is never agreed, so never picks. Neither: the
     *     listener's pool
     */
    public TlsTermination(String listener, SslContext context, String pool, Map<String, TlsPool> byServerName,
            Map<String, TlsPool> byAlpn, long handshakeTimeoutMillis) {
        this.listener = Objects.requireNonNull(listener, "listener");
        this.context = Objects.requireNonNull(context, "context");
        this.own = new Route(null, Objects.requireNonNull(pool, "pool"), "listener");
        this.byServerName = routes(byServerName, "sni");
        this.byAlpn = routes(byAlpn, "alpn");
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

    /** Where a handshake that settled {@code serverName} and {@code alpn} (either {@code null}) goes. */
    Route route(String serverName, String alpn) {
        if (serverName != null && !byServerName.isEmpty()) {
            Route route = byServerName.get(normalize(serverName));
            if (route != null) {
                return route;
            }
        }
        if (alpn != null && !byAlpn.isEmpty()) {
            Route route = byAlpn.get(alpn);
            if (route != null) {
                return route;
            }
        }
        return own;
    }

    private static Map<String, Route> routes(Map<String, TlsPool> pools, String by) {
        Map<String, Route> routes = new HashMap<>();
        pools.forEach((key, pool) -> routes.put(key, new Route(pool.chooser(), pool.name(), by)));
        return Map.copyOf(routes);
    }

    /**
     * A pool choice: the chooser ({@code null} for the listener's own) and the words the connection's {@code tls}
     * note ends with, made once here rather than per connection.
     */
    static final class Route {
        final BackendChooser chooser;
        final String note;

        Route(BackendChooser chooser, String pool, String by) {
            this.chooser = chooser;
            this.note = " pool=" + pool + " pool_by=" + by;
        }
    }

    /** A server name as {@code tls.sni-pools} keys it: lower case, without a trailing dot. */
    public static String normalize(String serverName) {
        String lower = serverName.toLowerCase(Locale.ROOT);
        return lower.endsWith(".") ? lower.substring(0, lower.length() - 1) : lower;
    }
}
