package dev.forwarder.core.transport;

import dev.forwarder.core.Transport;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.function.Supplier;

/**
 * The pieces of one Netty transport: its I/O handler, its server and client channel types, and whether it
 * can accept on every event loop with {@code SO_REUSEPORT}.
 */
public final class TransportKit {

    private static final Logger log = LoggerFactory.getLogger(TransportKit.class);

    private final Transport transport;
    private final IoHandlerFactory ioHandlerFactory;
    private final Class<? extends ServerChannel> serverChannelClass;
    private final Supplier<? extends Channel> clientChannels;

    private TransportKit(Transport transport, IoHandlerFactory ioHandlerFactory,
            Class<? extends ServerChannel> serverChannelClass, Supplier<? extends Channel> clientChannels) {
        this.transport = transport;
        this.ioHandlerFactory = ioHandlerFactory;
        this.serverChannelClass = serverChannelClass;
        this.clientChannels = clientChannels;
    }

    /**
     * The kit for {@code requested}: {@link Transport#AUTO} becomes epoll where the native library loads;
     * {@link Transport#IO_URING} becomes epoll, with a warning that gives Netty's reason, where io_uring is not
     * available or blocked (a seccomp profile that refuses {@code io_uring_setup}, {@code kernel.io_uring_disabled}).
     *
     * @throws IllegalStateException when epoll is requested (or io_uring's fallback needs it) and not available,
     *     with Netty's reason
     */
    public static TransportKit of(Transport requested) {
        Transport chosen = switch (requested) {
            case AUTO -> Epoll.isAvailable() ? Transport.EPOLL : Transport.NIO;
            case IO_URING -> {
                oneShotPolls();
                if (IoUring.isAvailable()) {
                    yield Transport.IO_URING;
                }
                log.warn("transport io-uring is not available here, falling back to epoll: cause={}",
                        describe(IoUring.unavailabilityCause()));
                yield requireEpoll("io-uring (falling back to epoll)");
            }
            case EPOLL -> requireEpoll("epoll");
            case NIO -> Transport.NIO;
        };
        return switch (chosen) {
            case EPOLL -> new TransportKit(Transport.EPOLL, HalfCloseSafeEpoll.newFactory(),
                    EpollServerSocketChannel.class, EpollSocketChannel::new);
            case IO_URING -> new TransportKit(Transport.IO_URING, IoUringIoHandler.newFactory(),
                    IoUringServerSocketChannel.class, IoUringSocketChannel::new);
            default -> new TransportKit(Transport.NIO, NioIoHandler.newFactory(), NioServerSocketChannel.class,
                    NioSocketChannel::new);
        };
    }

    /**
     * Netty 4.2.18's io_uring channel, with its default multishot {@code POLL_ADD}, misses a reset that arrives
     * together with the last data: the poll reports {@code POLLIN|POLLERR|POLLHUP} once, the read loop stops when the
     * socket is empty, and the edge-triggered poll never fires again, so {@code ECONNRESET} is never read and the
     * connection hangs ({@code RelayAbortTest} on io_uring). One-shot polls are re-armed after each read loop and
     * report the pending error at once. Set before Netty's {@link IoUring} class reads it; an operator's own
     * {@code -Dio.netty.iouring.pollAddMultishotEnabled} wins.
     */
    private static void oneShotPolls() {
        if (System.getProperty(MULTISHOT_POLL) == null) {
            System.setProperty(MULTISHOT_POLL, "false");
        }
    }

    private static final String MULTISHOT_POLL = "io.netty.iouring.pollAddMultishotEnabled";

    private static Transport requireEpoll(String what) {
        if (!Epoll.isAvailable()) {
            throw new IllegalStateException("transport " + what + " is not available here: "
                    + Epoll.unavailabilityCause(), Epoll.unavailabilityCause());
        }
        return Transport.EPOLL;
    }

    private static String describe(Throwable cause) {
        if (cause == null) {
            return "-";
        }
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root == cause ? String.valueOf(cause.getMessage()) : cause.getMessage() + " (" + root.getMessage() + ")";
    }

    /** {@link Transport#EPOLL}, {@link Transport#IO_URING} or {@link Transport#NIO}, never {@code AUTO}. */
    public Transport transport() {
        return transport;
    }

    public EventLoopGroup newEventLoopGroup(int threads, String threadPrefix) {
        return new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(threadPrefix, true),
                ioHandlerFactory);
    }

    public Class<? extends ServerChannel> serverChannelClass() {
        return serverChannelClass;
    }

    /** A new, unregistered client channel of this transport. */
    public Channel newClientChannel() {
        return clientChannels.get();
    }

    /**
     * A new, unregistered client channel for connecting to {@code remote}. On epoll an IPv4 peer gets an IPv4
     * socket: a dual-stack one costs an extra {@code setsockopt(IPV6_V6ONLY)} per connection.
     */
    public Channel newClientChannel(SocketAddress remote) {
        if (transport == Transport.EPOLL && remote instanceof InetSocketAddress inet
                && inet.getAddress() instanceof Inet4Address) {
            return new EpollSocketChannel(SocketProtocolFamily.INET);
        }
        return clientChannels.get();
    }

    /** Whether each event loop can accept on its own socket bound with {@code SO_REUSEPORT}. */
    public boolean acceptsOnEveryLoop() {
        return transport != Transport.NIO;
    }

    /**
     * The listening socket's {@code TCP_DEFER_ACCEPT} option (seconds) on this transport, or {@code null} where it
     * has none (NIO).
     */
    public io.netty.channel.ChannelOption<Integer> deferAcceptOption() {
        return switch (transport) {
            case EPOLL -> io.netty.channel.epoll.EpollChannelOption.TCP_DEFER_ACCEPT;
            case IO_URING -> io.netty.channel.uring.IoUringChannelOption.TCP_DEFER_ACCEPT;
            default -> null;
        };
    }

    /** Whether the transport can move bytes socket to socket with {@code splice(2)}: epoll only. */
    public boolean splices() {
        return transport == Transport.EPOLL;
    }
}
