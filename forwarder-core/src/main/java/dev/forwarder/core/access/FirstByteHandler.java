package dev.forwarder.core.access;

import dev.forwarder.core.ClientReadyEvent;
import dev.forwarder.core.CloseReason;
import dev.forwarder.core.CloseRequestEvent;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * {@code first-byte-timeout}: a client that sends nothing within the timeout of its accept is closed
 * ({@code first-byte-timeout}), and no backend is chosen for it before its first byte (the relay waits for the
 * {@link ClientReadyEvent} this handler fires then), so silent clients cost no backend connection. Behind a PROXY
 * header the header's own ready event is held until the first byte after it. Leaves the pipeline at the first
 * byte, or when the client half-closes having sent nothing (the relay then treats that as usual). One per
 * connection, on its event loop.
 */
public final class FirstByteHandler extends ChannelInboundHandlerAdapter {

    /** The handler's name in the client pipeline. */
    public static final String NAME = "first-byte-timeout";

    private final long timeoutNanos;
    private final boolean awaitsHeader;
    private ClientReadyEvent header;
    private ScheduledFuture<?> timer;
    private boolean done;

    /** @param awaitsHeader whether a PROXY header handler in front fires a ready event of its own first */
    public FirstByteHandler(long timeoutNanos, boolean awaitsHeader) {
        this.timeoutNanos = timeoutNanos;
        this.awaitsHeader = awaitsHeader;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        timer = ctx.executor().schedule(() -> timedOut(ctx), timeoutNanos, TimeUnit.NANOSECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        ctx.fireChannelRead(msg);
        if (!done && (!awaitsHeader || header != null)) {
            ready(ctx);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ClientReadyEvent ready && awaitsHeader && header == null) {
            header = ready;
            return;
        }
        ctx.fireUserEventTriggered(evt);
        if (evt == ChannelInputShutdownEvent.INSTANCE && !done && (!awaitsHeader || header != null)) {
            // A FIN and nothing else: not silence the timeout is for, the relay ends it as any early FIN.
            ready(ctx);
        }
    }

    private void ready(ChannelHandlerContext ctx) {
        done = true;
        cancel();
        ctx.pipeline().remove(this);
        ctx.fireUserEventTriggered(header != null ? header : new ClientReadyEvent(null));
    }

    private void timedOut(ChannelHandlerContext ctx) {
        if (!done && ctx.channel().isActive()) {
            done = true;
            ctx.fireUserEventTriggered(new CloseRequestEvent(CloseReason.FIRST_BYTE_TIMEOUT));
        }
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancel();
    }
}
