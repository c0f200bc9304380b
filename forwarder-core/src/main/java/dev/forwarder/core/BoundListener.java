package dev.forwarder.core;

import dev.forwarder.core.relay.RelayConnection;
import dev.forwarder.core.relay.RelayContext;
import dev.forwarder.core.relay.Pipelines;
import io.netty.channel.Channel;

import java.net.InetSocketAddress;
import java.util.List;

/**
 * A listener bound by {@link RelayServer#bind}: one or more server sockets on the same address (one per event
 * loop where the transport accepts on every loop) and the connections they accepted.
 */
public final class BoundListener {

    private final RelayContext context;
    private final List<Channel> serverChannels;
    private final InetSocketAddress localAddress;

    BoundListener(RelayContext context, List<Channel> serverChannels) {
        this.context = context;
        this.serverChannels = List.copyOf(serverChannels);
        this.localAddress = (InetSocketAddress) serverChannels.get(0).localAddress();
    }

    public String name() {
        return context.settings().name();
    }

    public ListenerSettings settings() {
        return context.settings();
    }

    /** The address actually bound, with the real port when the settings asked for port 0. */
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /** Connections accepted and not yet closed. */
    public int activeConnections() {
        return context.clientChannels().size();
    }

    /** Bytes queued in user space for all open connections: what back-pressure keeps bounded. */
    public long pendingWriteBytes() {
        long total = 0;
        for (Channel channel : context.clientChannels()) {
            RelayConnection connection = (RelayConnection) channel.pipeline().get(Pipelines.RELAY);
            if (connection != null) {
                total += connection.pendingWriteBytes();
            }
        }
        return total;
    }

    /** Closes the server sockets; open connections carry on. Returns once they are closed. */
    public void stopAccepting() {
        for (Channel channel : serverChannels) {
            channel.close().syncUninterruptibly();
        }
    }

    /** Ends every open connection now, with {@code reason} in its close log line. */
    public void closeConnections(CloseReason reason) {
        for (Channel channel : context.clientChannels()) {
            channel.eventLoop().execute(() -> {
                RelayConnection connection = (RelayConnection) channel.pipeline().get(Pipelines.RELAY);
                if (connection != null) {
                    connection.close(reason);
                } else {
                    channel.close();
                }
            });
        }
    }

    @Override
    public String toString() {
        return "listener " + name() + " on " + localAddress;
    }
}
