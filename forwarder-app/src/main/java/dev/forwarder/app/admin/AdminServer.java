package dev.forwarder.app.admin;

import dev.forwarder.core.Addresses;
import dev.forwarder.core.ListenerBindException;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The admin port: Netty's HTTP/1.1 codec on one event-loop thread of its own (NIO, whatever the relay runs on), so
 * that no request to it, however slow or malformed, takes time from the relay's loops. Requests are bounded: an
 * initial line of {@value #MAX_INITIAL_LINE} bytes, headers of {@value #MAX_HEADERS} bytes, a body of
 * {@value #MAX_BODY} bytes (413 above), and a connection idle for {@value #IDLE_SECONDS} s is closed.
 *
 * <p>Pipeline, in order: {@code http} ({@link HttpServerCodec}), {@code aggregate} ({@link HttpObjectAggregator}),
 * {@code idle} ({@link IdleStateHandler}), {@code admin} ({@link AdminHandler}). A streamed response changes its own
 * connection: a file download adds {@code chunked} ({@code ChunkedWriteHandler}) before {@code admin}; a live tap
 * removes {@code idle} and adds {@code tap} (writability wake-ups for its writer) after it.
 */
public final class AdminServer implements AutoCloseable {

    static final int MAX_INITIAL_LINE = 4096;
    static final int MAX_HEADERS = 8192;
    static final int MAX_BODY = 64 * 1024;
    static final int IDLE_SECONDS = 30;

    private static final Logger log = LoggerFactory.getLogger(AdminServer.class);

    private final EventLoopGroup loop;
    private final Channel channel;
    private final AtomicLong failures;

    private AdminServer(EventLoopGroup loop, Channel channel, AtomicLong failures) {
        this.loop = loop;
        this.channel = channel;
        this.failures = failures;
    }

    /**
     * Binds {@code bind} and serves {@code routes}; returns once it accepts.
     *
     * @throws ListenerBindException when the address cannot be bound, e.g.
     *     {@code admin: cannot bind 127.0.0.1:9901: Address already in use}; nothing stays open
     */
    public static AdminServer start(InetSocketAddress bind, AdminRoutes routes) throws ListenerBindException {
        EventLoopGroup loop = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("forwarder-admin", true),
                NioIoHandler.newFactory());
        AtomicLong failures = new AtomicLong();
        ServerBootstrap bootstrap = new ServerBootstrap()
                .group(loop)
                .channel(NioServerSocketChannel.class)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline()
                                .addLast("http", new HttpServerCodec(MAX_INITIAL_LINE, MAX_HEADERS, MAX_BODY))
                                .addLast("aggregate", new HttpObjectAggregator(MAX_BODY))
                                .addLast("idle", new IdleStateHandler(0, 0, IDLE_SECONDS, TimeUnit.SECONDS))
                                .addLast("admin", new AdminHandler(routes, failures));
                    }
                });
        ChannelFuture bound = bootstrap.bind(bind).awaitUninterruptibly();
        if (!bound.isSuccess()) {
            loop.shutdownGracefully(0, 0, TimeUnit.SECONDS).syncUninterruptibly();
            Throwable cause = bound.cause();
            String reason = cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
            throw new ListenerBindException("admin: cannot bind " + Addresses.format(bind) + ": " + reason, cause);
        }
        AdminServer server = new AdminServer(loop, bound.channel(), failures);
        log.info("admin port started address={} url=http://{}/", Addresses.format(server.address()),
                Addresses.format(server.address()));
        return server;
    }

    /** Where it listens, with the real port where 0 was asked for. */
    public InetSocketAddress address() {
        return (InetSocketAddress) channel.localAddress();
    }

    /**
     * Requests that failed in forwarder's own code (answered 500) plus exceptions other than I/O errors that
     * reached the handler: 0 unless something is wrong. For tests and diagnostics.
     */
    public long failures() {
        return failures.get();
    }

    /** Closes the port and its connections; returns once its thread has stopped. */
    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        loop.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
