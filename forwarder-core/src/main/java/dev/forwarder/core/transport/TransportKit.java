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
import io.netty.util.concurrent.DefaultThreadFactory;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.function.Supplier;

/**
 * The pieces of one Netty transport: its I/O handler, its server and client channel types, and whether it
 * can accept on every event loop with {@code SO_REUSEPORT}.
 */
public final class TransportKit {

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
     * The kit for {@code requested}: {@link Transport#AUTO} becomes epoll where the native library loads.
     *
     * @throws IllegalStateException when epoll is requested and not available, with Netty's reason
     */
    public static TransportKit of(Transport requested) {
        boolean epoll = switch (requested) {
            case AUTO -> Epoll.isAvailable();
            case EPOLL -> {
                if (!Epoll.isAvailable()) {
                    throw new IllegalStateException("transport epoll is not available here: "
                            + Epoll.unavailabilityCause(), Epoll.unavailabilityCause());
                }
                yield true;
            }
            case NIO -> false;
        };
        return epoll
                ? new TransportKit(Transport.EPOLL, HalfCloseSafeEpoll.newFactory(), EpollServerSocketChannel.class,
                        EpollSocketChannel::new)
                : new TransportKit(Transport.NIO, NioIoHandler.newFactory(), NioServerSocketChannel.class,
                        NioSocketChannel::new);
    }

    /** {@link Transport#EPOLL} or {@link Transport#NIO}, never {@code AUTO}. */
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
        return transport == Transport.EPOLL;
    }
}
