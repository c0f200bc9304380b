package dev.forwarder.core.relay;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;

/** The backend channel's handler: hands every event to the {@link RelayConnection} it belongs to. */
final class BackendHandler extends ChannelInboundHandlerAdapter {

    private final RelayConnection connection;

    BackendHandler(RelayConnection connection) {
        this.connection = connection;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        connection.backendActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        connection.down().read(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        connection.down().readComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        connection.up().targetWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ChannelInputShutdownEvent.INSTANCE) {
            HalfClose.inputEnded(connection, connection.down());
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        connection.failed(false, cause);
    }
}
