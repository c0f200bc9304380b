package dev.forwarder.app.config;

import dev.forwarder.app.capture.CaptureSettings;
import dev.forwarder.core.ListenerSettings;
import dev.forwarder.core.Splice;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * One listener of {@code forwarder.listeners}, with {@code forwarder.listener-defaults} applied.
 *
 * @param name its key in {@code forwarder.listeners}
 * @param bind the local address; port 0 picks a free port
 * @param pool the name of the pool its connections go to
 * @param idleTimeout how long a connection may pass no byte; zero means never
 * @param backlog the accept queue length, 1 to {@link #MAX_BACKLOG}
 * @param writeBufferLowWaterMark bytes queued for a peer under which reads from the other side resume
 * @param writeBufferHighWaterMark bytes queued for a peer over which reads from the other side stop; &gt;= low
 * @param whenNoBackend what happens while the pool has no member up: close each client, or stop accepting
 * @param splice whether bulk transfers are spliced in the kernel (epoll only)
 * @param capture what of its traffic is captured (hex dumps, pcap files), {@link CaptureSettings#OFF} by default
 * @param protection allow/deny, limits, first-byte timeout and PROXY header accept
 * @param tls TLS termination, {@link ListenerTls#OFF} by default
 * @param deferAccept {@code defer-accept}: {@code TCP_DEFER_ACCEPT} on the listening socket; zero (the default) is
 *     off (see {@link ListenerSettings#deferAccept()})
 */
public record ListenerConfig(
        String name,
        InetSocketAddress bind,
        String pool,
        Duration idleTimeout,
        int backlog,
        int writeBufferLowWaterMark,
        int writeBufferHighWaterMark,
        WhenNoBackend whenNoBackend,
        Splice splice,
        CaptureSettings capture,
        ProtectionConfig protection,
        ListenerTls tls,
        Duration deferAccept) {

    public static final int MAX_BACKLOG = 65_535;
    public static final int MAX_WATER_MARK = 1 << 30;

    /** A listener without capture or protection keys. */
    public ListenerConfig(String name, InetSocketAddress bind, String pool, Duration idleTimeout, int backlog,
            int writeBufferLowWaterMark, int writeBufferHighWaterMark, WhenNoBackend whenNoBackend, Splice splice) {
        this(name, bind, pool, idleTimeout, backlog, writeBufferLowWaterMark, writeBufferHighWaterMark,
                whenNoBackend, splice, CaptureSettings.OFF, ProtectionConfig.NONE);
    }

    /** A listener without TLS. */
    public ListenerConfig(String name, InetSocketAddress bind, String pool, Duration idleTimeout, int backlog,
            int writeBufferLowWaterMark, int writeBufferHighWaterMark, WhenNoBackend whenNoBackend, Splice splice,
            CaptureSettings capture, ProtectionConfig protection) {
        this(name, bind, pool, idleTimeout, backlog, writeBufferLowWaterMark, writeBufferHighWaterMark,
                whenNoBackend, splice, capture, protection, ListenerTls.OFF, Duration.ZERO);
    }

    public ListenerConfig {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(pool, "pool");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(whenNoBackend, "whenNoBackend");
        Objects.requireNonNull(splice, "splice");
        Objects.requireNonNull(capture, "capture");
        Objects.requireNonNull(protection, "protection");
        Objects.requireNonNull(tls, "tls");
        Objects.requireNonNull(deferAccept, "deferAccept");
        if (deferAccept.isNegative()) {
            throw new IllegalArgumentException("deferAccept: " + deferAccept + " (expected: >= 0)");
        }
        if (idleTimeout.isNegative()) {
            throw new IllegalArgumentException("idleTimeout: " + idleTimeout + " (expected: >= 0)");
        }
        if (backlog < 1 || backlog > MAX_BACKLOG) {
            throw new IllegalArgumentException("backlog: " + backlog + " (expected: 1-" + MAX_BACKLOG + ")");
        }
        if (writeBufferLowWaterMark < 1 || writeBufferLowWaterMark > MAX_WATER_MARK) {
            throw new IllegalArgumentException("writeBufferLowWaterMark: " + writeBufferLowWaterMark
                    + " (expected: 1-" + MAX_WATER_MARK + ")");
        }
        if (writeBufferHighWaterMark < writeBufferLowWaterMark || writeBufferHighWaterMark > MAX_WATER_MARK) {
            throw new IllegalArgumentException("writeBufferHighWaterMark: " + writeBufferHighWaterMark
                    + " (expected: " + writeBufferLowWaterMark + "-" + MAX_WATER_MARK + ")");
        }
    }

    /** The relay's settings for this listener; the connect timeout comes from its pool. */
    public ListenerSettings toSettings(Duration connectTimeout) {
        return new ListenerSettings(name, bind, connectTimeout, idleTimeout, writeBufferLowWaterMark,
                writeBufferHighWaterMark, backlog, splice, protection.access(), protection.acceptProxy(),
                protection.proxyHeaderTimeout(), deferAccept);
    }

    /** The bind address as configured, {@code host:port} (brackets around an IPv6 literal). */
    public String bindAuthority() {
        String host = bind.getHostString();
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + bind.getPort();
    }
}
