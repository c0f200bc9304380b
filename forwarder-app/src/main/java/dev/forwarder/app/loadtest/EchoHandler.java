package dev.forwarder.app.loadtest;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes back everything it reads (or, discarding, drops it). Reading pauses while the peer is slower to read the
 * echo than to send, so memory stays bounded. When the peer shuts its output, the echo of what came before is
 * flushed, then the output is shut down too and the connection closed: a client that half-closes gets its whole
 * answer and then EOF. Needs {@code ALLOW_HALF_CLOSURE}.
 *
 * <p>{@code @Sharable}: its only field is immutable, so one instance serves every connection.
 */
@Sharable
final class EchoHandler extends ChannelInboundHandlerAdapter {

    private static final Logger log = LoggerFactory.getLogger(EchoHandler.class);

    private final boolean discard;

    EchoHandler(boolean discard) {
        this.discard = discard;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (discard) {
            ReferenceCountUtil.release(msg);
            return;
        }
        ctx.write(msg, ctx.voidPromise());
        if (!ctx.channel().isWritable()) {
            // Paused before the flush: a flush that drains the buffer resumes reading from inside it.
            ctx.channel().config().setAutoRead(false);
            ctx.flush();
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        ctx.flush();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            ctx.channel().config().setAutoRead(false);
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
                if (f.isSuccess() && f.channel() instanceof DuplexChannel duplex) {
                    duplex.shutdownOutput().addListener(ChannelFutureListener.CLOSE);
                } else {
                    f.channel().close();
                }
            });
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("echo connection failed client={} error={}", ctx.channel().remoteAddress(), cause.toString());
        ctx.close();
    }
}
