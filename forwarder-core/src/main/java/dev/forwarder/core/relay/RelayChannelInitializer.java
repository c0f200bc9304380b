package dev.forwarder.core.relay;

import dev.forwarder.core.ListenerSettings;
import dev.forwarder.core.access.AccessGate;
import dev.forwarder.core.access.AccessSettings;
import dev.forwarder.core.access.FirstByteHandler;
import dev.forwarder.core.proxy.ProxyHeaderHandler;
import dev.forwarder.core.proxy.ProxyProtocol;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;

/**
 * Sets up an accepted client channel with the listener's current context: refuses it at once when the listener's
 * access settings do, or, behind {@code accept-proxy}, when the socket peer is not in {@code accept-proxy-from}
 * (before any handler or backend), else adds the PROXY header and first-byte handlers where
 * configured, the listener's own handlers, and the relay. {@code @Sharable}: its one field is a
 * volatile reference that a reconfiguration swaps; each connection keeps the context it was accepted with.
 */
@ChannelHandler.Sharable
public final class RelayChannelInitializer extends ChannelInitializer<Channel> {

    private volatile RelayContext context;
    // The listener's, for as long as it lives: counts carry over when a reconfiguration swaps the context.
    private final AccessGate gate;

    public RelayChannelInitializer(RelayContext context) {
        this.context = context;
        this.gate = new AccessGate(context.settings().name());
    }

    /** Checks each new client against the listener's access settings and counts its connections. */
    public AccessGate gate() {
        return gate;
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
        ListenerSettings settings = current.settings();
        AccessSettings access = settings.access();
        boolean proxied = settings.acceptProxy() != ProxyProtocol.OFF;
        if (proxied && !access.acceptProxyFrom().isEmpty()
                && gate.admitProxy(channel.remoteAddress(), access, current.observer()) != null) {
            // A peer that may not speak for others (accept-proxy-from): refused before its header is read.
            channel.config().setOption(ChannelOption.SO_LINGER, 0);
            channel.close();
            return;
        }
        if (!proxied && access.checksClients()
                && gate.admit(channel, channel.remoteAddress(), access, current.observer()) != null) {
            // Refused at accept: no relay, no backend, no connection log line. A reset, as HAProxy's reject, so
            // that a flood of refused clients leaves no TIME_WAIT here.
            channel.config().setOption(ChannelOption.SO_LINGER, 0);
            channel.close();
            return;
        }
        channel.config().setWriteBufferWaterMark(current.waterMark());
        RelayConnection connection = new RelayConnection(current);
        if (proxied) {
            ProxyHeaderHandler.addTo(channel.pipeline(), settings.name(), settings.acceptProxy(),
                    settings.proxyHeaderTimeout().toNanos(), gate, access, current.observer());
        }
        if (!access.firstByteTimeout().isZero()) {
            channel.pipeline().addLast(FirstByteHandler.NAME,
                    new FirstByteHandler(access.firstByteTimeout().toNanos(), proxied));
        }
        if (current.clientHandlers() != null) {
            current.clientHandlers().addTo(channel.pipeline(), connection);
        }
        channel.pipeline().addLast(Pipelines.RELAY, connection);
    }
}
