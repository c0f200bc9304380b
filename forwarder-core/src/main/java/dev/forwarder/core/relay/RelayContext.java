package dev.forwarder.core.relay;

import dev.forwarder.core.BackendChooser;
import dev.forwarder.core.ConnectPolicy;
import dev.forwarder.core.ConnectionHandlers;
import dev.forwarder.core.ConnectionObserver;
import dev.forwarder.core.ListenerSettings;
import dev.forwarder.core.Splice;
import dev.forwarder.core.proxy.ProxyProtocol;
import dev.forwarder.core.transport.TransportKit;
import io.netty.channel.WriteBufferWaterMark;

import java.util.List;

/**
 * What every new connection of one listener starts from: its settings, chooser, observers, handlers and traffic
 * subscriptions. Immutable; a reconfigured listener gets a new context, and connections keep the one they were
 * accepted with. Internal to forwarder-core.
 */
public final class RelayContext {

    private final ListenerSettings settings;
    private final BackendChooser chooser;
    private final ConnectionObserver observer;
    private final ConnectionObserver bytesObserver;
    private final BackendChannels backendChannels;
    private final ConnectPolicy bindPolicy;
    private final WriteBufferWaterMark waterMark;
    private final long idleNanos;
    private final boolean splices;
    private final PipeBudget pipes;
    private final ConnectionHandlers clientHandlers;
    private final TrafficSubscriptions subscriptions;
    private final boolean delaysChoice;

    /**
     * @param observer what the listener's user observes; the registry and the connection log are composed with it
     *     here, the one place a listener's observers come together
     * @param clientHandlers handlers in front of the relay on the client side, or {@code null}
     */
    public RelayContext(ListenerSettings settings, BackendChooser chooser, ConnectionObserver observer,
            TransportKit kit, ConnectPolicy policy, PipeBudget pipes, ConnectionRegistry registry,
            ConnectionHandlers clientHandlers, TrafficSubscriptions subscriptions) {
        this(settings, chooser, observer, kit, policy, pipes, registry, clientHandlers, subscriptions,
                kit::newClientChannel);
    }

    /** As the public constructor, with each backend channel made by {@code backendChannels}: for tests. */
    RelayContext(ListenerSettings settings, BackendChooser chooser, ConnectionObserver observer, TransportKit kit,
            ConnectPolicy policy, PipeBudget pipes, ConnectionRegistry registry, ConnectionHandlers clientHandlers,
            TrafficSubscriptions subscriptions, BackendChannels backendChannels) {
        this.settings = settings;
        this.chooser = chooser;
        this.observer = ConnectionObserver.compose(List.of(registry, observer, ConnectionLog.INSTANCE));
        this.bytesObserver = this.observer.bytesObserver();
        this.backendChannels = backendChannels;
        this.bindPolicy = policy;
        this.waterMark = new WriteBufferWaterMark(settings.writeBufferLowWaterMark(),
                settings.writeBufferHighWaterMark());
        this.idleNanos = settings.idleTimeout().toNanos();
        boolean handlersSplice = clientHandlers == null || clientHandlers.allowsSplice();
        this.splices = settings.splice() == Splice.AUTO && kit.splices() && handlersSplice;
        this.pipes = pipes;
        this.clientHandlers = clientHandlers;
        this.subscriptions = subscriptions;
        this.delaysChoice = settings.acceptProxy() != ProxyProtocol.OFF
                || !settings.access().firstByteTimeout().isZero()
                || clientHandlers != null && clientHandlers.delaysChoice();
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

    /** Who hears of the bytes of each read, or {@code null}: see {@link ConnectionObserver#bytesObserver()}. */
    ConnectionObserver bytesObserver() {
        return bytesObserver;
    }

    /** Makes the channel of each connect try. */
    BackendChannels backendChannels() {
        return backendChannels;
    }

    /** The policy for a connection accepted now: the chooser's own (a pool's), else the listener's. */
    ConnectPolicy policy() {
        ConnectPolicy own = chooser.connectPolicy();
        return own != null ? own : bindPolicy;
    }

    /** One connect try's timeout under {@code policy}, in milliseconds. */
    int connectTimeoutMillis(ConnectPolicy policy) {
        java.time.Duration timeout = policy.connectTimeout() != null ? policy.connectTimeout()
                : settings.connectTimeout();
        return (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    }

    public WriteBufferWaterMark waterMark() {
        return waterMark;
    }

    /**
     * The splice budget when connections may switch a direction to splice (asked for, epoll, and no handler that
     * must see the bytes), else {@code null}. A backend-side handler that must see them turns it off per connection.
     */
    PipeBudget splicePipes(ConnectionHandlers backendHandlers) {
        if (!splices) {
            return null;
        }
        return backendHandlers == null || backendHandlers.allowsSplice() ? pipes : null;
    }

    /** The idle timeout in nanoseconds; 0 = none. */
    long idleNanos() {
        return idleNanos;
    }

    /** Whether the relay waits for a {@link dev.forwarder.core.ClientReadyEvent} before it chooses a backend. */
    boolean delaysChoice() {
        return delaysChoice;
    }

    ConnectionHandlers clientHandlers() {
        return clientHandlers;
    }

    TrafficSubscriptions subscriptions() {
        return subscriptions;
    }
}
