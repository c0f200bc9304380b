package dev.forwarder.core;

import dev.forwarder.core.relay.ConnectionRegistry;
import dev.forwarder.core.relay.RelayChannelInitializer;
import dev.forwarder.core.relay.RelayConnection;
import dev.forwarder.core.relay.RelayContext;
import dev.forwarder.core.relay.TrafficSubscriptions;
import io.netty.channel.Channel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A listener bound by {@link RelayServer#bind}: one or more server sockets on the same address (one per event
 * loop where the transport accepts on every loop), the connections they accepted (its registry), and what new
 * connections start from, which {@link #update} swaps.
 */
public final class BoundListener {

    private static final Logger log = LoggerFactory.getLogger(BoundListener.class);

    /** Binds the listener's server sockets on an address with a backlog. */
    interface Binder {
        List<Channel> bind(InetSocketAddress address, int backlog) throws ListenerBindException;
    }

    private enum AcceptState { ACCEPTING, PAUSED, STOPPED }

    private final RelayServer server;
    private final RelayChannelInitializer initializer;
    private final ConnectionRegistry registry;
    private final TrafficSubscriptions subscriptions;
    private final Binder binder;
    private final InetSocketAddress localAddress;
    // Guarded by this; binding, pausing and resuming are rare, never on the relay's path.
    private List<Channel> serverChannels;
    private AcceptState acceptState = AcceptState.ACCEPTING;

    BoundListener(RelayServer server, RelayChannelInitializer initializer, ConnectionRegistry registry,
            TrafficSubscriptions subscriptions, Binder binder, List<Channel> serverChannels) {
        this.server = server;
        this.initializer = initializer;
        this.registry = registry;
        this.subscriptions = subscriptions;
        this.binder = binder;
        this.serverChannels = List.copyOf(serverChannels);
        this.localAddress = (InetSocketAddress) serverChannels.get(0).localAddress();
    }

    public String name() {
        return settings().name();
    }

    /** The settings new connections are accepted with. */
    public ListenerSettings settings() {
        return initializer.context().settings();
    }

    /** The address actually bound, with the real port when the settings asked for port 0. */
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /** Connections accepted and not yet closed. */
    public int activeConnections() {
        return registry.size();
    }

    /** The open connections, oldest first, as they are now (gathered on their event loops). */
    public List<ConnectionSnapshot> connections() {
        return connections(c -> true, Integer.MAX_VALUE);
    }

    /**
     * The open connections {@code filter} accepts, oldest first, at most {@code limit}; gathered on their event
     * loops. Call from any thread but one of the relay's event loops.
     */
    public List<ConnectionSnapshot> connections(Predicate<ConnectionSnapshot> filter, int limit) {
        return registry.snapshot(filter, limit);
    }

    /**
     * Closes the connection {@code id} (reason {@code admin}; both peers see a reset). Any thread.
     *
     * @return whether this listener had such an open connection
     */
    public boolean close(String id) {
        return registry.close(id, CloseReason.ADMIN);
    }

    /** Bytes queued in user space for all open connections (what back-pressure keeps bounded), summed on the loops. */
    public long pendingWriteBytes() {
        AtomicLong total = new AtomicLong();
        registry.forEachAndWait(connection -> total.addAndGet(connection.pendingWriteBytes()));
        return total.get();
    }

    /** The client channels of the open connections, for tests and diagnostics. */
    public List<Channel> clientChannels() {
        List<Channel> channels = new ArrayList<>();
        for (RelayConnection connection : registry.connections()) {
            channels.add(connection.clientChannel());
        }
        return channels;
    }

    /**
     * Attaches {@code observer} to every open connection {@code which} accepts and to each such new one, until the
     * returned handle is closed. {@code which} is tested on the connection's event loop: for a new connection at
     * accept and again once its backend is connected (so it may filter by backend or by a client address a
     * PROXY header gave). Not from one of the relay's event loops.
     */
    public AutoCloseable observeTraffic(Predicate<ConnectionInfo> which, TrafficObserver observer) {
        TrafficSubscriptions.Subscription subscription = subscriptions.add(which, observer);
        registry.forEachAndWait(connection -> {
            if (which.test(connection)) {
                connection.attach(observer);
            }
        });
        return () -> {
            subscriptions.remove(subscription);
            registry.forEachAndWait(connection -> connection.detach(observer));
        };
    }

    /**
     * New connections from now on follow {@code settings}, {@code chooser}, {@code observer}, {@code policy} and
     * {@code clientHandlers}; open ones carry on as they were. A changed backlog is applied with {@code listen(2)}
     * on the live sockets on epoll, so the port never refuses; NIO closes and binds again (a moment of refusal; if
     * the port was taken meanwhile, the listener stays paused with the new settings and this throws).
     *
     * @throws IllegalArgumentException when {@code settings} names another address (bind a new listener instead)
     * @throws ListenerBindException when new sockets are needed and cannot be bound; nothing changed then
     */
    public synchronized void update(ListenerSettings settings, BackendChooser chooser, ConnectionObserver observer,
            ConnectPolicy policy, ConnectionHandlers clientHandlers) throws ListenerBindException {
        ListenerSettings old = settings();
        if (!settings.bind().equals(old.bind()) && !(old.bind().getPort() == 0
                && settings.bind().getAddress().equals(old.bind().getAddress()))) {
            throw new IllegalArgumentException("bind: " + settings.bind() + " (expected: " + old.bind()
                    + "; another address is another listener)");
        }
        if (!settings.name().equals(old.name())) {
            throw new IllegalArgumentException("name: " + settings.name() + " (expected: " + old.name() + ")");
        }
        RelayContext next = server.newContext(settings, chooser, observer, policy, clientHandlers, registry,
                subscriptions);
        dev.forwarder.core.proxy.OpenProxyWarning.check(old, settings);
        if (settings.backlog() != old.backlog() && acceptState == AcceptState.ACCEPTING) {
            if (server.transport() != Transport.NIO) {
                // listen(2) again on the live sockets: the kernel takes a new backlog in place. No new socket, so
                // no moment where the port refuses, and no loss either: swapping in new SO_REUSEPORT sockets
                // would reset the handshakes queued on each old one as it closes (unless net.ipv4.tcp_migrate_req).
                relisten(settings.backlog());
                initializer.context(next);
            } else {
                // NIO can neither listen again nor join an SO_REUSEPORT group: the port refuses for the moment
                // between close and bind.
                closeServerChannels();
                awaitReleased();
                initializer.context(next);
                try {
                    serverChannels = List.copyOf(binder.bind(localAddress, settings.backlog()));
                } catch (ListenerBindException e) {
                    acceptState = AcceptState.PAUSED;
                    throw e;
                }
            }
            log.info("changed backlog listener={} address={} backlog={}", name(), Addresses.format(localAddress),
                    settings.backlog());
        } else {
            initializer.context(next);
        }
        if (settings.deferAcceptSeconds() != old.deferAcceptSeconds() && acceptState == AcceptState.ACCEPTING) {
            changeDeferAccept(settings);
        }
    }

    /** {@code TCP_DEFER_ACCEPT} set on the live listening sockets: the kernel takes it in place. */
    private void changeDeferAccept(ListenerSettings settings) {
        io.netty.channel.ChannelOption<Integer> option = server.deferAcceptOption();
        if (option == null) {
            server.warnIfDeferAcceptIgnored(settings);
            return;
        }
        for (Channel channel : serverChannels) {
            channel.config().setOption(option, settings.deferAcceptSeconds());
        }
        log.info("changed defer-accept listener={} address={} defer_accept_s={}", name(),
                Addresses.format(localAddress), settings.deferAcceptSeconds());
    }

    private void relisten(int backlog) throws ListenerBindException {
        for (Channel channel : serverChannels) {
            io.netty.util.concurrent.Future<?> done = channel.eventLoop().submit(() -> {
                ((io.netty.channel.unix.Socket) ((io.netty.channel.unix.UnixChannel) channel).fd())
                        .listen(backlog);
                return null;
            }).awaitUninterruptibly();
            if (!done.isSuccess()) {
                throw new ListenerBindException("listener " + name() + ": cannot change the backlog of "
                        + Addresses.format(localAddress) + ": " + done.cause().getMessage(), done.cause());
            }
        }
    }

    /** Whether the listening sockets are open. */
    public synchronized boolean isAccepting() {
        return acceptState == AcceptState.ACCEPTING;
    }

    /**
     * Closes the listening sockets so that new clients are refused by the kernel (not accepted and then reset);
     * open connections carry on. Idempotent.
     */
    public synchronized void pauseAccepting() {
        if (acceptState != AcceptState.ACCEPTING) {
            return;
        }
        closeServerChannels();
        awaitReleased();
        acceptState = AcceptState.PAUSED;
        log.info("paused accepting listener={} address={}", name(), Addresses.format(localAddress));
    }

    /**
     * Binds the listening sockets again on the same address after {@link #pauseAccepting()}. Idempotent.
     *
     * @throws ListenerBindException when something else took the port meanwhile; the listener stays paused
     */
    public synchronized void resumeAccepting() throws ListenerBindException {
        if (acceptState != AcceptState.PAUSED) {
            return;
        }
        serverChannels = List.copyOf(binder.bind(localAddress, settings().backlog()));
        acceptState = AcceptState.ACCEPTING;
        log.info("resumed accepting listener={} address={}", name(), Addresses.format(localAddress));
    }

    /** Closes the server sockets for good; open connections carry on. Returns once they are closed. */
    public synchronized void stopAccepting() {
        if (acceptState == AcceptState.ACCEPTING) {
            closeServerChannels();
        }
        acceptState = AcceptState.STOPPED;
    }

    /**
     * Java NIO closes a listening socket registered with a selector only when that selector next runs, and until
     * then the kernel still completes handshakes. Pausing returns once a plain bind of the address succeeds, i.e.
     * once the kernel refuses new clients; bounded to two seconds.
     */
    private void awaitReleased() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (System.nanoTime() - deadline < 0) {
            try (ServerSocket probe = new ServerSocket()) {
                probe.setReuseAddress(true);
                probe.bind(localAddress);
                return;
            } catch (IOException stillBound) {
                Thread.onSpinWait();
            }
        }
        log.warn("listening socket still bound after pause listener={} address={}", name(),
                Addresses.format(localAddress));
    }

    private void closeServerChannels() {
        for (Channel channel : serverChannels) {
            channel.close().syncUninterruptibly();
        }
    }

    /**
     * Ends every open connection now, with {@code reason} in its close log line.
     *
     * @return completes once each connection was told to close
     */
    public CompletableFuture<Void> closeConnections(CloseReason reason) {
        return registry.forEach(connection -> connection.close(reason));
    }

    /** Ends the open connections relayed to {@code backend} now, e.g. because it was marked down. */
    public CompletableFuture<Void> closeConnections(Backend backend, CloseReason reason) {
        return registry.forEach(connection -> {
            if (connection.backend() == backend) {
                connection.close(reason);
            }
        });
    }

    @Override
    public String toString() {
        return "listener " + name() + " on " + Addresses.format(localAddress);
    }
}
