package dev.forwarder.core.relay;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;

/** Sets up an accepted client channel. {@code @Sharable}: it keeps no state of its own. */
@ChannelHandler.Sharable
public final class RelayChannelInitializer extends ChannelInitializer<Channel> {

    private final RelayContext context;

    public RelayChannelInitializer(RelayContext context) {
        this.context = context;
    }

    @Override
    protected void initChannel(Channel channel) {
        channel.pipeline().addLast(Pipelines.RELAY, new RelayConnection(context));
    }
}
