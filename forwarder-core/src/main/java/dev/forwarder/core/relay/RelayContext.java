package dev.forwarder.core.relay;

import dev.forwarder.core.BackendChooser;
import dev.forwarder.core.ConnectPolicy;
import dev.forwarder.core.ConnectionObserver;
import dev.forwarder.core.ListenerSettings;
import dev.forwarder.core.Splice;
import dev.forwarder.core.Transport;
import dev.forwarder.core.transport.TransportKit;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;

/**
 * What every connection of one listener shares: its settings, chooser, observer and the group of its open
 * client channels. Internal to forwarder-core.
 */
public final class RelayContext {

    private final ListenerSettings settings;
    private final BackendChooser chooser;
    private final ConnectionObserver observer;
    private final TransportKit kit;
    private final ConnectPolicy policy;
    private final long deadlineNanos;
    private final long queueTimeoutNanos;
    private final WriteBufferWaterMark waterMark;
    private final int connectTimeoutMillis;
    private final long idleNanos;
    private final ChannelGroup clientChannels;
    private final boolean splices;
    private final PipeBudget pipes;

    public RelayContext(ListenerSettings settings, BackendChooser chooser, ConnectionObserver observer,
            TransportKit kit, ConnectPolicy policy, PipeBudget pipes) {
        this.settings = settings;
        this.chooser = chooser;
        this.observer = observer;
        this.kit = kit;
        this.policy = policy;
        this.deadlineNanos = policy.deadline().toNanos();
        this.queueTimeoutNanos = policy.queueTimeout().toNanos();
        this.waterMark = new WriteBufferWaterMark(settings.writeBufferLowWaterMark(),
                settings.writeBufferHighWaterMark());
        this.idleNanos = settings.idleTimeout().toNanos();
        this.connectTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, settings.connectTimeout().toMillis());
        this.splices = settings.splice() == Splice.AUTO && kit.transport() == Transport.EPOLL;
        this.pipes = pipes;
        this.clientChannels = new DefaultChannelGroup("listener-" + settings.name(), GlobalEventExecutor.INSTANCE);
    }

    public ListenerSettings settings() {
        return settings;
    }

    BackendChooser chooser() {
        return chooser;
    }

    ConnectionObserver observer() {
        return observer;
    }

    TransportKit kit() {
        return kit;
    }

    int connectTries() {
        return policy.tries();
    }

    long deadlineNanos() {
        return deadlineNanos;
    }

    long queueTimeoutNanos() {
        return queueTimeoutNanos;
    }

    public WriteBufferWaterMark waterMark() {
        return waterMark;
    }

    /** Whether connections may switch a direction to splice: asked for, and the transport is epoll. */
    boolean splices() {
        return splices;
    }

    /** The idle timeout in nanoseconds; 0 = none. */
    long idleNanos() {
        return idleNanos;
    }

    /** The relay server's budget of splice pipes. */
    PipeBudget pipes() {
        return pipes;
    }

    int connectTimeoutMillis() {
        return connectTimeoutMillis;
    }

    /** The client channels of this listener's open connections; closed ones leave by themselves. */
    public ChannelGroup clientChannels() {
        return clientChannels;
    }
}
