package dev.forwarder.core.transport;

import dev.forwarder.core.Transport;
import dev.forwarder.core.testing.BlockingServer;
import dev.forwarder.core.testing.Streams;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.ChannelInputShutdownReadComplete;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A half-closed epoll channel (its input shut down, so it waits for no event) must still be able to write more
 * than the socket buffer holds: that needs EPOLLOUT, which Netty's own handler can no longer set.
 */
class HalfCloseSafeEpollTest {

    private static final int ANSWER = 8 * 1024 * 1024;

    @Test
    void halfClosedChannelStillWritesMoreThanTheSocketBuffer() throws Exception {
        CountDownLatch clientSawFin = new CountDownLatch(1);
        CompletableFuture<Long> serverReceived = new CompletableFuture<>();
        TransportKit kit = TransportKit.of(Transport.EPOLL);
        EventLoopGroup group = kit.newEventLoopGroup(1, "half-close-test");
        // The server sends FIN at once, waits until the client has seen it, and only then starts reading.
        try (BlockingServer server = BlockingServer.start(socket -> {
            socket.shutdownOutput();
            try {
                clientSawFin.await(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            InputStream in = socket.getInputStream();
            serverReceived.complete(Streams.drain(in).bytes());
        })) {
            Channel channel = new Bootstrap().group(group).channelFactory(kit::newClientChannel)
                    .option(ChannelOption.AUTO_READ, false)
                    .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                    .handler(new ChannelInboundHandlerAdapter() {
                        @Override
                        public void channelActive(ChannelHandlerContext ctx) {
                            ctx.read();
                        }

                        @Override
                        public void channelRead(ChannelHandlerContext ctx, Object msg) {
                            ReferenceCountUtil.release(msg);
                        }

                        @Override
                        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                            if (evt == ChannelInputShutdownReadComplete.INSTANCE) {
                                // Let the event loop finish clearing this channel's interest, then write.
                                ctx.channel().eventLoop().execute(() -> {
                                    ByteBuf answer = Unpooled.directBuffer(ANSWER).writeZero(ANSWER);
                                    ctx.writeAndFlush(answer).addListener(f -> ctx.channel().close());
                                    clientSawFin.countDown();
                                });
                            }
                        }
                    })
                    .connect(server.address()).sync().channel();
            assertThat(serverReceived.get(30, TimeUnit.SECONDS)).isEqualTo(ANSWER);
            assertThat(channel.closeFuture().await(Duration.ofSeconds(10).toMillis())).isTrue();
        } finally {
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }
}
