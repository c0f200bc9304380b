package dev.forwarder.core.relay;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;

/**
 * Sets up an accepted client channel with the listener's current context. {@code @Sharable}: its one field is a
 * volatile reference that a reconfiguration swaps; each connection keeps the context it was accepted with.
 */
@ChannelHandler.Sharable
public final class RelayChannelInitializer extends ChannelInitializer<Channel> {

    private volatile RelayContext context;

    public RelayChannelInitializer(RelayContext context) {
        this.context = context;
    }

    public RelayContext context() {
        return context;
    }

    /** New connections from now on start from {@code next}. */
    public void context(RelayContext next) {
        context = next;
    }

    @Override
    protected void initChannel(Channel channel) {
        RelayContext current = context;
        channel.config().setWriteBufferWaterMark(current.waterMark());
        RelayConnection connection = new RelayConnection(current);
        if (current.clientHandlers() != null) {
            current.clientHandlers().addTo(channel.pipeline(), connection);
        }
        channel.pipeline().addLast(Pipelines.RELAY, connection);
    }
}
