package dev.forwarder.app.demo;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;

import java.net.InetSocketAddress;

/** A tiny server on 127.0.0.1 that answers every connection with its name and address, then closes it. */
public final class DemoBackend implements AutoCloseable {

    private final String name;
    private final Channel channel;
    private final InetSocketAddress address;

    private DemoBackend(String name, Channel channel) {
        this.name = name;
        this.channel = channel;
        this.address = (InetSocketAddress) channel.localAddress();
    }

    /**
     * Starts a backend on a free port of 127.0.0.1.
     *
     * @param group an NIO event loop group; the caller owns it
     */
    public static DemoBackend start(String name, EventLoopGroup group) {
        Channel channel = new ServerBootstrap()
                .group(group)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast(new DemoBackendHandler(greeting(name, ch.localAddress())));
                    }
                })
                .bind(new InetSocketAddress("127.0.0.1", 0))
                .syncUninterruptibly()
                .channel();
        return new DemoBackend(name, channel);
    }

    public String name() {
        return name;
    }

    public InetSocketAddress address() {
        return address;
    }

    /** What it answers, e.g. {@code hello from demo-backend-2 (127.0.0.1:40123)}. */
    public String greeting() {
        return greeting(name, address);
    }

    private static String greeting(String name, InetSocketAddress address) {
        return "hello from " + name + " (" + address.getAddress().getHostAddress() + ":" + address.getPort() + ")";
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
    }
}
