package dev.forwarder.core;

import dev.forwarder.core.access.AccessSettings;
import dev.forwarder.core.proxy.ProxyProtocol;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * How one listener accepts and relays connections.
 *
 * @param name the listener's name, for logs and metrics
 * @param bind the local address to listen on (port 0 picks a free port)
 * @param connectTimeout how long one connect attempt to a backend may take; &gt; 0
 * @param idleTimeout how long a connection may pass no byte in either direction; zero means never
 * @param writeBufferLowWaterMark bytes queued for a peer under which reads from the other side resume
 * @param writeBufferHighWaterMark bytes queued for a peer over which reads from the other side stop
 * @param backlog the accept queue length
 * @param splice whether bulk transfers are spliced in the kernel (epoll only)
 * @param access allow/deny, connection limits and the first-byte timeout; {@link AccessSettings#NONE} for none
 * @param acceptProxy which PROXY header each client connection starts with; {@link ProxyProtocol#OFF} for none
 * @param proxyHeaderTimeout how long a client may take to send its whole PROXY header; &gt; 0
 * @param deferAccept {@code TCP_DEFER_ACCEPT}: the kernel hands a connection over only once its client has sent
 *     something, or after about this long; zero (the default) is off. Breaks nothing for clients that speak first
 *     (HTTP, TLS, Redis, PostgreSQL); a server-speaks-first protocol (MySQL, SMTP, FTP) waits this long per
 *     connection. Rounded up to whole seconds; epoll and io_uring only
 */
public record ListenerSettings(
        String name,
        InetSocketAddress bind,
        Duration connectTimeout,
        Duration idleTimeout,
        int writeBufferLowWaterMark,
        int writeBufferHighWaterMark,
        int backlog,
        Splice splice,
        AccessSettings access,
        ProxyProtocol acceptProxy,
        Duration proxyHeaderTimeout,
        Duration deferAccept) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(3);
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(10);
    public static final int DEFAULT_LOW_WATER_MARK = 32 * 1024;
    public static final int DEFAULT_HIGH_WATER_MARK = 64 * 1024;
    public static final int DEFAULT_BACKLOG = 1024;
    public static final Duration DEFAULT_PROXY_HEADER_TIMEOUT = Duration.ofSeconds(3);

    /** Settings without access rules or PROXY header. */
    public ListenerSettings(String name, InetSocketAddress bind, Duration connectTimeout, Duration idleTimeout,
            int writeBufferLowWaterMark, int writeBufferHighWaterMark, int backlog, Splice splice) {
        this(name, bind, connectTimeout, idleTimeout, writeBufferLowWaterMark, writeBufferHighWaterMark, backlog,
                splice, AccessSettings.NONE, ProxyProtocol.OFF, DEFAULT_PROXY_HEADER_TIMEOUT, Duration.ZERO);
    }

    public ListenerSettings {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        Objects.requireNonNull(splice, "splice");
        Objects.requireNonNull(access, "access");
        Objects.requireNonNull(acceptProxy, "acceptProxy");
        Objects.requireNonNull(proxyHeaderTimeout, "proxyHeaderTimeout");
        Objects.requireNonNull(deferAccept, "deferAccept");
        if (deferAccept.isNegative()) {
            throw new IllegalArgumentException("deferAccept: " + deferAccept + " (expected: >= 0)");
        }
        if (proxyHeaderTimeout.isNegative() || proxyHeaderTimeout.isZero()) {
            throw new IllegalArgumentException("proxyHeaderTimeout: " + proxyHeaderTimeout + " (expected: > 0)");
        }
        if (connectTimeout.isNegative() || connectTimeout.isZero()) {
            throw new IllegalArgumentException("connectTimeout: " + connectTimeout + " (expected: > 0)");
        }
        if (idleTimeout.isNegative()) {
            throw new IllegalArgumentException("idleTimeout: " + idleTimeout + " (expected: >= 0)");
        }
        if (writeBufferLowWaterMark <= 0) {
            throw new IllegalArgumentException(
                    "writeBufferLowWaterMark: " + writeBufferLowWaterMark + " (expected: > 0)");
        }
        if (writeBufferHighWaterMark < writeBufferLowWaterMark) {
            throw new IllegalArgumentException("writeBufferHighWaterMark: " + writeBufferHighWaterMark
                    + " (expected: >= writeBufferLowWaterMark " + writeBufferLowWaterMark + ")");
        }
        if (backlog <= 0) {
            throw new IllegalArgumentException("backlog: " + backlog + " (expected: > 0)");
        }
    }

    /** Settings with every default but the name and bind address. */
    public static ListenerSettings of(String name, InetSocketAddress bind) {
        return new ListenerSettings(name, bind, DEFAULT_CONNECT_TIMEOUT, DEFAULT_IDLE_TIMEOUT,
                DEFAULT_LOW_WATER_MARK, DEFAULT_HIGH_WATER_MARK, DEFAULT_BACKLOG, Splice.AUTO);
    }

    public ListenerSettings withConnectTimeout(Duration timeout) {
        return new ListenerSettings(name, bind, timeout, idleTimeout, writeBufferLowWaterMark,
                writeBufferHighWaterMark, backlog, splice, access, acceptProxy,
                proxyHeaderTimeout, deferAccept);
    }

    public ListenerSettings withIdleTimeout(Duration timeout) {
        return new ListenerSettings(name, bind, connectTimeout, timeout, writeBufferLowWaterMark,
                writeBufferHighWaterMark, backlog, splice, access, acceptProxy,
                proxyHeaderTimeout, deferAccept);
    }

    public ListenerSettings withWriteBufferWaterMarks(int low, int high) {
        return new ListenerSettings(name, bind, connectTimeout, idleTimeout, low, high, backlog, splice, access,
                acceptProxy, proxyHeaderTimeout, deferAccept);
    }

    public ListenerSettings withBacklog(int acceptQueue) {
        return new ListenerSettings(name, bind, connectTimeout, idleTimeout, writeBufferLowWaterMark,
                writeBufferHighWaterMark, acceptQueue, splice, access, acceptProxy,
                proxyHeaderTimeout, deferAccept);
    }

    public ListenerSettings withSplice(Splice mode) {
        return new ListenerSettings(name, bind, connectTimeout, idleTimeout, writeBufferLowWaterMark,
                writeBufferHighWaterMark, backlog, mode, access, acceptProxy,
                proxyHeaderTimeout, deferAccept);
    }

    public ListenerSettings withAccess(AccessSettings rules) {
        return new ListenerSettings(name, bind, connectTimeout, idleTimeout, writeBufferLowWaterMark,
                writeBufferHighWaterMark, backlog, splice, rules, acceptProxy, proxyHeaderTimeout, deferAccept);
    }

    public ListenerSettings withAcceptProxy(ProxyProtocol protocol, Duration headerTimeout) {
        return new ListenerSettings(name, bind, connectTimeout, idleTimeout, writeBufferLowWaterMark,
                writeBufferHighWaterMark, backlog, splice, access, protocol, headerTimeout, deferAccept);
    }

    public ListenerSettings withDeferAccept(Duration timeout) {
        return new ListenerSettings(name, bind, connectTimeout, idleTimeout, writeBufferLowWaterMark,
                writeBufferHighWaterMark, backlog, splice, access, acceptProxy, proxyHeaderTimeout, timeout);
    }

    /** {@link #deferAccept} in the whole seconds {@code TCP_DEFER_ACCEPT} takes, rounded up; 0 when off. */
    public int deferAcceptSeconds() {
        long seconds = deferAccept.toSeconds() + (deferAccept.toNanosPart() > 0 ? 1 : 0);
        return (int) Math.min(Integer.MAX_VALUE, seconds);
    }
}
