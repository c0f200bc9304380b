package dev.forwarder.core;

import dev.forwarder.core.relay.ConnectionRegistry;
import dev.forwarder.core.relay.PipeBudget;
import dev.forwarder.core.relay.RelayChannelInitializer;
import dev.forwarder.core.relay.RelayContext;
import dev.forwarder.core.relay.TrafficSubscriptions;
import dev.forwarder.core.transport.TransportKit;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.unix.UnixChannelOption;
import io.netty.util.concurrent.EventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The relay: event loops, and the listeners bound on them. Thread-safe; {@link #bind} may be called at any time.
 *
 * <p>Where the transport allows (epoll), every event loop accepts on its own {@code SO_REUSEPORT} socket and
 * keeps the connections it accepts, backend side included: no connection is handed from one thread to another.
 */
public final class RelayServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RelayServer.class);
    /** Another forwarder holds a port's bind lock for milliseconds; this long means it is stuck. */
    private static final Duration BIND_LOCK_WAIT = Duration.ofSeconds(5);

    private final TransportKit kit;
    private final EventLoopGroup group;
    private final List<BoundListener> listeners = new CopyOnWriteArrayList<>();
    private final PipeBudget pipes;

    private RelayServer(TransportKit kit, int ioThreads, PipeBudget pipes) {
        this.kit = kit;
        this.pipes = pipes;
        this.group = kit.newEventLoopGroup(ioThreads, "forwarder-io");
    }

    /**
     * Starts the event loops.
     *
     * @param transport which transport to use; {@link Transport#AUTO} prefers epoll
     * @param ioThreads how many event loops; 0 means one per core
     */
    public static RelayServer start(Transport transport, int ioThreads) {
        return start(transport, ioThreads, PipeBudget.ofDescriptorLimit());
    }

    /**
     * Starts the event loops, with at most {@code pipes} splice pipes open at once over all listeners.
     *
     * @param transport which transport to use; {@link Transport#AUTO} prefers epoll
     * @param ioThreads how many event loops; 0 means one per core
     * @param pipes the splice pipes the whole server may hold at once
     */
    public static RelayServer start(Transport transport, int ioThreads, PipeBudget pipes) {
        if (ioThreads < 0) {
            throw new IllegalArgumentException("ioThreads: " + ioThreads + " (expected: >= 0)");
        }
        int threads = ioThreads == 0 ? Runtime.getRuntime().availableProcessors() : ioThreads;
        return new RelayServer(TransportKit.of(transport), threads, pipes);
    }

    /** The splice pipes this server's connections may still take, and their maximum. */
    public PipeBudget pipeBudget() {
        return pipes;
    }

    /** The transport in use: {@link Transport#EPOLL}, {@link Transport#IO_URING} or {@link Transport#NIO}. */
    public Transport transport() {
        return kit.transport();
    }

    /** Binds a listener that relays each connection to a backend {@code chooser} picks, one connect try each. */
    public BoundListener bind(ListenerSettings settings, BackendChooser chooser, ConnectionObserver observer)
            throws ListenerBindException {
        return bind(settings, chooser, observer, ConnectPolicy.DEFAULT);
    }

    /** Binds a listener whose connections try up to {@code connectTries} backends. */
    public BoundListener bind(ListenerSettings settings, BackendChooser chooser, ConnectionObserver observer,
            int connectTries) throws ListenerBindException {
        return bind(settings, chooser, observer, ConnectPolicy.ofTries(connectTries));
    }

    /** Binds a listener without client-side handlers. */
    public BoundListener bind(ListenerSettings settings, BackendChooser chooser, ConnectionObserver observer,
            ConnectPolicy policy) throws ListenerBindException {
        return bind(settings, chooser, observer, policy, null);
    }

    /**
     * Binds a listener.
     *
     * @param policy how many backends a connection tries, within what deadline, and how long it may queue, where
     *     the chooser has no {@link BackendChooser#connectPolicy()} of its own
     * @param clientHandlers handlers in front of the relay on each connection's client side, or {@code null}
     * @throws ListenerBindException when the address cannot be bound (in use, not local, no permission)
     */
    public BoundListener bind(ListenerSettings settings, BackendChooser chooser, ConnectionObserver observer,
            ConnectPolicy policy, ConnectionHandlers clientHandlers) throws ListenerBindException {
        ConnectionRegistry registry = new ConnectionRegistry();
        TrafficSubscriptions subscriptions = new TrafficSubscriptions();
        RelayChannelInitializer initializer = new RelayChannelInitializer(
                newContext(settings, chooser, observer, policy, clientHandlers, registry, subscriptions));
        ServerBootstrap bootstrap = new ServerBootstrap()
                .channel(kit.serverChannelClass())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                // TCP_NODELAY: Netty's default for accepted channels too, so no childOption (a syscall each). The
                // write-buffer water marks are set per channel by the initializer, from the current context.
                .childHandler(initializer);
        BoundListener.Binder binder = (address, backlog) -> {
            ServerBootstrap withBacklog = bootstrap.clone().option(ChannelOption.SO_BACKLOG, backlog);
            // Off (0) sets nothing: the default socket, no syscall. The current settings: a re-bind after a pause
            // takes what a reload changed meanwhile.
            int defer = initializer.context().settings().deferAcceptSeconds();
            if (defer > 0 && kit.deferAcceptOption() != null) {
                withBacklog.option(kit.deferAcceptOption(), defer);
            }
            return kit.acceptsOnEveryLoop()
                    ? bindOnEveryLoop(withBacklog, address, settings)
                    : List.of(bindOne(withBacklog.group(group, group), address, settings));
        };
        BoundListener listener = new BoundListener(this, initializer, registry, subscriptions, binder,
                binder.bind(settings.bind(), settings.backlog()));
        listeners.add(listener);
        log.info("listening listener={} address={} transport={}", settings.name(),
                Addresses.format(listener.localAddress()), kit.transport().configName());
        warnIfDeferAcceptIgnored(settings);
        dev.forwarder.core.proxy.OpenProxyWarning.check(null, settings);
        return listener;
    }

    /** {@code defer-accept} asked for where the transport has no such option: said once, at bind or update. */
    void warnIfDeferAcceptIgnored(ListenerSettings settings) {
        if (settings.deferAcceptSeconds() > 0 && kit.deferAcceptOption() == null) {
            log.warn("defer-accept ignored listener={} transport={} (epoll and io-uring only)", settings.name(),
                    kit.transport().configName());
        }
    }

    /** The listening socket's TCP_DEFER_ACCEPT option here, or {@code null} (NIO). */
    io.netty.channel.ChannelOption<Integer> deferAcceptOption() {
        return kit.deferAcceptOption();
    }

    /** What a listener's new connections start from; also for {@link BoundListener#update}. */
    RelayContext newContext(ListenerSettings settings, BackendChooser chooser, ConnectionObserver observer,
            ConnectPolicy policy, ConnectionHandlers clientHandlers, ConnectionRegistry registry,
            TrafficSubscriptions subscriptions) {
        return new RelayContext(settings, chooser, observer, kit, policy, pipes, registry, clientHandlers,
                subscriptions);
    }

    /**
     * Stops {@code listener} accepting and lets its open connections finish for up to {@code drain}; those still
     * open then are cut ({@code shutdown}, a reset). Returns at once.
     *
     * @return completes with the number of connections cut, once the listener has no connection left
     */
    public CompletableFuture<Integer> unbind(BoundListener listener, Duration drain) {
        listener.stopAccepting();
        CompletableFuture<Integer> done = new CompletableFuture<>();
        long deadline = System.nanoTime() + drain.toNanos();
        EventLoop loop = group.next();
        Runnable[] check = new Runnable[1];
        check[0] = () -> {
            int open = listener.activeConnections();
            if (open == 0) {
                listeners.remove(listener);
                done.complete(0);
            } else if (System.nanoTime() - deadline >= 0) {
                log.warn("drain period over, closing listener={} connections={}", listener.name(), open);
                listener.closeConnections(CloseReason.SHUTDOWN).whenComplete((ignored, e) -> {
                    listeners.remove(listener);
                    done.complete(open);
                });
            } else {
                loop.schedule(check[0], 50, TimeUnit.MILLISECONDS);
            }
        };
        loop.execute(check[0]);
        return done;
    }

    private List<Channel> bindOnEveryLoop(ServerBootstrap bootstrap, InetSocketAddress requested,
            ListenerSettings settings) throws ListenerBindException {
        if (requested.getPort() == 0) {
            // The first bind picks a port nobody else listens on; the other loops join it.
            return bindEachLoop(bootstrap, requested, settings);
        }
        BindLock lock = lockPort(requested, settings);
        try {
            ensureNotShared(requested, settings);
            return bindEachLoop(bootstrap, requested, settings);
        } finally {
            lock.release();
        }
    }

    private List<Channel> bindEachLoop(ServerBootstrap bootstrap, InetSocketAddress requested,
            ListenerSettings settings) throws ListenerBindException {
        List<Channel> bound = new ArrayList<>();
        InetSocketAddress address = requested;
        try {
            for (EventExecutor executor : group) {
                EventLoop loop = (EventLoop) executor;
                Channel channel = bindOne(bootstrap.clone().group(loop, loop)
                        .option(UnixChannelOption.SO_REUSEPORT, true), address, settings);
                bound.add(channel);
                address = (InetSocketAddress) channel.localAddress();
            }
        } catch (ListenerBindException e) {
            bound.forEach(channel -> channel.close().syncUninterruptibly());
            throw e;
        }
        return bound;
    }

    /** Held from the probe until every socket listens, so two forwarders started together cannot both pass. */
    private static BindLock lockPort(InetSocketAddress address, ListenerSettings settings)
            throws ListenerBindException {
        try {
            return BindLock.acquire(address.getPort(), BIND_LOCK_WAIT);
        } catch (java.io.IOException e) {
            throw new ListenerBindException("listener " + settings.name() + ": cannot bind "
                    + Addresses.format(address) + ": " + e.getMessage(), e);
        }
    }

    private static Channel bindOne(ServerBootstrap bootstrap, InetSocketAddress address, ListenerSettings settings)
            throws ListenerBindException {
        ChannelFuture future = bootstrap.bind(address).awaitUninterruptibly();
        if (!future.isSuccess()) {
            Throwable cause = future.cause();
            throw new ListenerBindException("listener " + settings.name() + ": cannot bind "
                    + Addresses.format(address) + ": " + bindProblem(cause), cause);
        }
        return future.channel();
    }

    /**
     * SO_REUSEPORT would let this listener bind a port another process of the same user already listens on with
     * SO_REUSEPORT (a second forwarder), silently splitting its traffic. A plain bind first turns that into the
     * usual "Address already in use"; the {@link BindLock} around it keeps a second process from probing between
     * this probe and the binds.
     */
    private static void ensureNotShared(InetSocketAddress address, ListenerSettings settings)
            throws ListenerBindException {
        try (java.net.ServerSocket probe = new java.net.ServerSocket()) {
            probe.setReuseAddress(true);
            probe.bind(address);
        } catch (java.io.IOException e) {
            throw new ListenerBindException("listener " + settings.name() + ": cannot bind "
                    + Addresses.format(address) + ": " + bindProblem(e), e);
        }
    }

    /** The kernel's words without the native layer's prefix, e.g. {@code Address already in use}. */
    private static String bindProblem(Throwable cause) {
        String message = cause.getMessage();
        if (message == null) {
            return cause.getClass().getSimpleName();
        }
        // Epoll says "bind(..) failed with error(-98): Address already in use".
        int colon = message.lastIndexOf("): ");
        return colon >= 0 ? message.substring(colon + 3) : message;
    }

    /** The event loops: health checks and other per-backend work run here, not on threads of their own. */
    public EventLoopGroup eventLoops() {
        return group;
    }

    /** The transport's channel types, for clients (such as health checks) that share the event loops. */
    public TransportKit transportKit() {
        return kit;
    }

    /** Ends the open connections relayed to {@code backend} on every listener. */
    public void closeConnectionsTo(Backend backend, CloseReason reason) {
        for (BoundListener listener : listeners) {
            listener.closeConnections(backend, reason);
        }
    }

    /** Closes the connection {@code id} on whichever listener has it (reason {@code admin}). */
    public boolean closeConnection(String id) {
        for (BoundListener listener : listeners) {
            if (listener.close(id)) {
                return true;
            }
        }
        return false;
    }

    public List<BoundListener> listeners() {
        return List.copyOf(listeners);
    }

    /** Open connections over all listeners. */
    public int activeConnections() {
        int total = 0;
        for (BoundListener listener : listeners) {
            total += listener.activeConnections();
        }
        return total;
    }

    /**
     * Stops accepting, waits up to {@code drain} for open connections to finish, ends the rest with
     * {@link CloseReason#SHUTDOWN}, then stops the event loops.
     *
     * @return how many connections had to be cut when the drain period ended
     */
    public int shutdown(Duration drain) {
        for (BoundListener listener : listeners) {
            listener.stopAccepting();
        }
        long deadline = System.nanoTime() + drain.toNanos();
        int open = activeConnections();
        if (open > 0) {
            log.info("draining connections={} drain_ms={}", open, drain.toMillis());
        }
        while (open > 0 && System.nanoTime() - deadline < 0) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            open = activeConnections();
        }
        if (open > 0) {
            log.warn("drain period over, closing connections={}", open);
            // Closed on their loops before the loops stop, so that each ends as shutdown (a reset), not as
            // whatever the loops' own closing would make of it.
            List<CompletableFuture<Void>> closing = new ArrayList<>();
            for (BoundListener listener : listeners) {
                closing.add(listener.closeConnections(CloseReason.SHUTDOWN));
            }
            awaitClosed(closing);
        }
        close();
        return open;
    }

    private void awaitClosed(List<CompletableFuture<Void>> closing) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        try {
            CompletableFuture.allOf(closing.toArray(new CompletableFuture[0])).get(2, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            log.warn("connections did not close in time: {}", e.toString());
        }
        // Their close listeners run on the loops right after; shutdown is rare, so a short park is cheap enough.
        while (activeConnections() > 0 && System.nanoTime() - deadline < 0) {
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /** Closes every listener and connection at once and stops the event loops. */
    @Override
    public void close() {
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
