package dev.forwarder.app.loadtest;

import dev.forwarder.core.Transport;
import dev.forwarder.core.transport.TransportKit;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/** A Netty echo (or discard) server, the backend that {@code forwarder loadtest} is aimed at in tests and bench. */
public final class EchoServer implements AutoCloseable {

    private final EventLoopGroup group;
    private final Channel channel;
    private final Transport transport;

    private EchoServer(EventLoopGroup group, Channel channel, Transport transport) {
        this.group = group;
        this.channel = channel;
        this.transport = transport;
    }

    /**
     * Binds and starts serving.
     *
     * @param bind    where to listen; port 0 picks a free one (see {@link #address()})
     * @param discard drop what arrives instead of echoing it
     * @param threads event-loop threads, accepting and serving
     */
    public static EchoServer start(InetSocketAddress bind, boolean discard, int threads, Transport transport) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads: " + threads + " (expected: >= 1)");
        }
        TransportKit kit = TransportKit.of(transport);
        EventLoopGroup group = kit.newEventLoopGroup(threads, discard ? "discard-server" : "echo-server");
        try {
            Channel channel = new ServerBootstrap()
                    .group(group)
                    .channel(kit.serverChannelClass())
                    .option(ChannelOption.SO_BACKLOG, 4096)
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childHandler(new EchoHandler(discard))
                    .bind(bind)
                    .syncUninterruptibly()
                    .channel();
            return new EchoServer(group, channel, kit.transport());
        } catch (RuntimeException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** The bound address, with the real port. */
    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    /** {@link Transport#EPOLL} or {@link Transport#NIO}. */
    public Transport transport() {
        return transport;
    }

    /** Stops listening and closes every connection. */
    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
