package dev.forwarder.app.loadtest;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * Turns a load-test channel's events into calls on its worker, naming the channel so the worker can ignore a
 * channel it has already given up. Bytes are counted and released here: the load test never looks inside them.
 *
 * <p>{@code @Sharable}: it holds nothing but its listener, so a churn worker uses one for all its connections.
 */
@Sharable
final class ClientHandler extends ChannelInboundHandlerAdapter {

    /** A worker's side of its channels; every call arrives on the worker's event loop. */
    interface Listener {
        void onRead(Channel channel, int bytes);

        void onInactive(Channel channel);

        void onError(Channel channel, Throwable cause);

        default void onWritable(Channel channel) {
        }
    }

    private final Listener listener;

    ClientHandler(Listener listener) {
        this.listener = listener;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        int bytes = msg instanceof ByteBuf buf ? buf.readableBytes() : 0;
        ReferenceCountUtil.release(msg);
        listener.onRead(ctx.channel(), bytes);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        listener.onInactive(ctx.channel());
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        listener.onError(ctx.channel(), cause);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            listener.onWritable(ctx.channel());
        }
    }
}
