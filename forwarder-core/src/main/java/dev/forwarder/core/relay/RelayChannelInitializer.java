package dev.forwarder.core.relay;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.handler.timeout.IdleStateHandler;

import java.util.concurrent.TimeUnit;

/** Sets up an accepted client channel. {@code @Sharable}: it keeps no state of its own. */
@ChannelHandler.Sharable
public final class RelayChannelInitializer extends ChannelInitializer<Channel> {

    private final RelayContext context;
    private final long idleNanos;

    public RelayChannelInitializer(RelayContext context) {
        this.context = context;
        this.idleNanos = context.settings().idleTimeout().toNanos();
    }

    @Override
    protected void initChannel(Channel channel) {
        if (idleNanos > 0) {
            // observeOutput: a slow reader that still takes bytes is not idle.
            channel.pipeline().addLast(Pipelines.IDLE,
                    new IdleStateHandler(true, 0, 0, idleNanos, TimeUnit.NANOSECONDS));
        }
        channel.pipeline().addLast(Pipelines.RELAY, new RelayConnection(context));
    }
}
