package dev.forwarder.balancer;

import dev.forwarder.core.Backend;
import dev.forwarder.core.BackendChooser;
import dev.forwarder.core.ChoiceNote;
import dev.forwarder.core.CloseReason;
import dev.forwarder.core.ConnectPolicy;
import dev.forwarder.core.ConnectionHandlers;
import dev.forwarder.core.proxy.SendProxy;
import dev.forwarder.core.Waiter;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Supplier;

/**
 * A named set of backends, the strategy that spreads connections over them, and their health. Picks read an
 * immutable snapshot of the available members (up, primaries apart from backups), so the pick path takes no lock;
 * every change of a member's state happens on the pool's control thread ({@link PoolControl}), which swaps the
 * snapshot whole. {@link #reconfigure} changes members, strategy and settings the same way, in place.
 *
 * <p>A member's connection limit is checked as it is picked: a full member is skipped, and when every available
 * member is full a connection may wait ({@link #awaitBackend}). Waiters are served in arrival order: the slot of a
 * connection that ends goes straight to the first of them, and new clients queue behind them.
 */
public final class Pool implements BackendChooser, AutoCloseable {

    /** Whom a slot handed to a waiter is picked for: the pool does not know a waiter's client, nor need to. */
    private static final InetSocketAddress ANY_CLIENT = new InetSocketAddress(0);

    private final String name;
    private final Resolver resolver;
    private final boolean checkTransport;
    private final WaitQueue waiters = new WaitQueue();
    private final Object reconfiguring = new Object();
    private final PoolControl control;
    // Written only by the control thread, each an immutable value swapped whole.
    private volatile PoolSnapshot snapshot;
    private volatile List<PoolMember> members = List.of();
    private volatile ConnectPolicy connectPolicy;
    // TLS origination to the members (dev.forwarder.core.tls.TlsOrigination), or null; set by whoever builds the
    // pool, swapped whole on a reload. With send-proxy, the composition of both, made once per change.
    private volatile ConnectionHandlers tls;
    private volatile Composed withProxy;

    private record Composed(ConnectionHandlers proxy, ConnectionHandlers tls, ConnectionHandlers both) {
    }

    private Pool(Builder builder, List<PoolMember> initial) {
        this.name = builder.name;
        this.resolver = builder.resolver;
        this.checkTransport = builder.checkLoops != null;
        this.connectPolicy = builder.connectPolicy;
        this.control = new PoolControl(this, builder.strategy, builder.settings, builder.backends, initial,
                builder.resolver, builder.checkLoops, builder.checkChannels);
    }

    /**
     * A pool whose members are always up: no health checks, no passive failure tracking, no connection limits.
     * Hostnames are resolved here, once; every address becomes a member.
     *
     * @throws IllegalArgumentException when a hostname does not resolve or the list is empty
     */
    public static Pool of(String name, BalancingStrategy strategy, List<BackendSpec> backends) {
        return builder(name, strategy, backends).settings(PoolSettings.STATIC).build();
    }

    /** A pool with health checks, limits and DNS refresh as its {@link PoolSettings} say. */
    public static Builder builder(String name, BalancingStrategy strategy, List<BackendSpec> backends) {
        return new Builder(name, strategy, backends);
    }

    public String name() {
        return name;
    }

    /** The settings it was built or last reconfigured with. */
    public PoolSettings settings() {
        return snapshot.settings();
    }

    /** The strategy it was built or last reconfigured with. */
    public BalancingStrategy strategy() {
        return snapshot.strategy();
    }

    /** How connections to this pool try its members, as built (or last reconfigured); null for the listener's. */
    @Override
    public ConnectPolicy connectPolicy() {
        return connectPolicy;
    }

    /**
     * The backend-side handlers of a new connection: the PROXY header of {@code send-proxy}, or none. Read per
     * connection from the current settings, so a reconfigured pool changes them for new connections.
     */
    @Override
    public ConnectionHandlers backendHandlers() {
        ConnectionHandlers proxy = SendProxy.of(snapshot.settings().sendProxy());
        ConnectionHandlers origination = tls;
        if (origination == null || proxy == null) {
            return origination == null ? proxy : origination;
        }
        Composed both = withProxy;
        if (both == null || both.proxy() != proxy || both.tls() != origination) {
            // The PROXY header first, in clear, then the handshake: what nginx's "listen ssl proxy_protocol" expects.
            both = new Composed(proxy, origination, ConnectionHandlers.inOrder(proxy, origination));
            withProxy = both;
        }
        return both.both();
    }

    /**
     * The backend-side TLS handlers of new connections from now on (TLS origination), or {@code null} for none;
     * a PROXY header ({@code send-proxy}) goes in front of them. Open connections keep theirs.
     */
    public void backendTls(ConnectionHandlers handlers) {
        tls = handlers;
    }

    /** Every member, whatever its state (draining ones until their last connection ends), in config order. */
    public List<PoolMember> members() {
        return members;
    }

    /**
     * The member named {@code name} (its address, {@code 10.0.0.5:80}), or {@code null}.
     */
    public PoolMember member(String memberName) {
        for (PoolMember member : members) {
            if (member.name().equals(memberName)) {
                return member;
            }
        }
        return null;
    }

    /**
     * Sets a member's admin state and returns once the pick path sees it: {@link AdminState#DRAINING} and
     * {@link AdminState#DISABLED} take it out of new picks (its open connections carry on and keep counting),
     * {@link AdminState#ENABLED} brings it back, through slow start where the pool has one; leaving
     * {@code DISABLED}, its health starts over from the check's {@code initial-state}. It survives
     * {@link #reconfigure} for as long as the member's address stays configured. Never call it from a
     * {@link PoolListener}.
     *
     * @param by who sets it, for the log and {@link PoolMember#admin()}
     * @return the member's admin state now; setting the state it has already keeps its original author and time
     * @throws IllegalArgumentException when the pool has no member of that name
     * @throws IllegalStateException when the pool is closed
     */
    public MemberAdmin setAdminState(String memberName, AdminState state, String by) {
        Objects.requireNonNull(state, "state");
        Objects.requireNonNull(by, "by");
        return control.admin(memberName, state, by);
    }

    /**
     * Gives a member a weight at runtime, in force at once (or where a running slow start has got to). It survives
     * {@link #reconfigure} unless the new config changes that member's weight: then the file wins.
     *
     * @return the weight it had before
     * @throws IllegalArgumentException when the pool has no member of that name, or {@code weight} is not in
     *     1-{@value BackendSpec#MAX_WEIGHT}
     * @throws IllegalStateException when the pool is closed
     */
    public int setWeight(String memberName, int weight, String by) {
        Objects.requireNonNull(by, "by");
        return control.weigh(memberName, weight, by);
    }

    /** Whether any member (primary or backup) is up right now. */
    public boolean available() {
        return !snapshot.isEmpty();
    }

    /**
     * Adds a listener; it hears the current availability at once (on the control thread), then every change.
     */
    public void addListener(PoolListener listener) {
        control.addListener(Objects.requireNonNull(listener, "listener"));
    }

    /** Starts the active health checks and the DNS refresh, if the settings ask for them. */
    public void start() {
        control.start();
    }

    /** Stops health checks, DNS refresh and timers. Picks keep working on the last snapshot. */
    @Override
    public void close() {
        control.close();
    }

    /**
     * Picks with the pool's strategy among the up primaries with room, or among the up backups while no primary
     * can take the connection. For a connection that has already failed on every primary, the backups count as
     * the available members too; with no backups, a tried primary is picked again.
     *
     * @return {@code null} when no member is up, every up member is at its connection limit, or connections are
     *     waiting for room already (a new one queues behind them)
     */
    @Override
    public Backend choose(SocketAddress client, List<Backend> tried) {
        return choose(client, tried, ChoiceNote.NONE);
    }

    /** As {@link #choose(SocketAddress, List)}, the strategy noting what it compared (see {@link ChoiceNote}). */
    @Override
    public Backend choose(SocketAddress client, List<Backend> tried, ChoiceNote note) {
        PoolSnapshot current = snapshot;
        // Connections already waiting go first: a new one queues behind them. Only a pool with limits has any.
        if (current.limited() && waiters.size() > 0) {
            return null;
        }
        return current.pick(client, tried, note);
    }

    @Override
    public void connected(Backend backend) {
        if (snapshot.settings().passive()) {
            ((PoolMember) backend).recordSuccess();
        }
    }

    @Override
    public void connectFailed(Backend backend, Throwable cause) {
        PoolMember member = (PoolMember) backend;
        PoolSettings settings = snapshot.settings();
        if (settings.passive() && member.recordFailure(System.nanoTime(), settings.failTimeout().toNanos())
                >= settings.maxFails()) {
            control.connectFailures(member, cause);
        }
        ended(member);
    }

    @Override
    public void released(Backend backend) {
        ended((PoolMember) backend);
    }

    /** Frees the slot (or hands it on) and nothing else: an abandoned pick says nothing about the backend. */
    @Override
    public void abandoned(Backend backend) {
        ended((PoolMember) backend);
    }

    /**
     * A pick on {@code member} ended. While connections wait, its slot goes straight to the first of them, so that
     * no new client can take it in between; otherwise it is freed.
     */
    private void ended(PoolMember member) {
        if (waiters.size() > 0 && member.pickable() && member.withinLimit()
                && waiters.handOn(member)) {
            return;
        }
        free(member);
        // A connection may have queued while this slot was still taken, and found no room.
        if (waiters.size() > 0) {
            serveWaiters();
        }
    }

    private void free(PoolMember member) {
        member.releasedOne();
        if (member.state() == MemberState.DRAINING && member.activeConnections() == 0) {
            control.drained(member);
        }
    }

    /**
     * Queues {@code waiter} while some member is up but every one is full (or others already wait); it is handed a
     * slot, in arrival order, when a connection ends or a member comes up. With no member up at all, or
     * {@link PoolSettings#maxQueue()} connections waiting already, the client is closed at once.
     */
    @Override
    public CloseReason awaitBackend(Waiter waiter) {
        PoolSnapshot current = snapshot;
        if (current.isEmpty()) {
            return CloseReason.NO_BACKEND;
        }
        if (!waiters.offer(waiter, current.settings().maxQueue())) {
            return CloseReason.QUEUE_FULL;
        }
        // A connection may have ended between the caller's choose and the offer, handing its slot to nobody.
        serveWaiters();
        return null;
    }

    /** The waiter stopped waiting (its client left, its queue timeout ran out): it leaves the queue now. */
    @Override
    public void cancelWait(Waiter waiter) {
        waiters.remove(waiter);
    }

    /** Connections waiting for a member to have room. */
    public int waiting() {
        return waiters.size();
    }

    /**
     * Hands free slots to the waiters, first come first served, while there are both. A slot taken for a queue that
     * emptied meanwhile is freed, and the queue looked at again: someone may have queued while it was taken.
     */
    void serveWaiters() {
        while (waiters.size() > 0) {
            PoolMember slot = snapshot.pick(ANY_CLIENT, List.of());
            if (slot == null) {
                return;
            }
            if (!waiters.handOn(slot)) {
                free(slot);
            }
        }
    }

    /**
     * Applies a new configuration in place; no connection is cut, and new connections follow it. A member whose
     * address is still configured keeps its state, health, counters and connections, and takes its new weight
     * (where a running slow start allows), backup flag and limit; a member no longer configured drains (no new
     * connections; it leaves the pool, {@link PoolListener#memberRemoved}, with its last one); a new one joins with
     * the initial health. The pick path sees the members, strategy, weights and settings change in one step.
     * Changed health checks restart; a changed {@code resolve-interval} or hostname list restarts the DNS refresh.
     *
     * <p>New hostnames are resolved here, on the caller's thread, as {@link Builder#build} does: this may block.
     * A hostname the pool already has keeps the members it resolved to (its refresh carries on). The rest runs on
     * the pool's control thread; the call returns when it is done. Reconfigurations run one at a time; never call
     * this from a {@link PoolListener}, which runs on that thread.
     *
     * @param policy how new connections try the members, or {@code null} for the listener's
     * @return what changed, for a log line
     * @throws IllegalArgumentException when {@code backends} is empty or a new hostname does not resolve;
     *     nothing has changed
     * @throws IllegalStateException when the settings have a health check and the pool was built without
     *     {@link Builder#healthCheckTransport}, the pool is closed, or this is its control thread; nothing has
     *     changed
     */
    public PoolChanges reconfigure(BalancingStrategy strategy, PoolSettings settings, List<BackendSpec> backends,
            ConnectPolicy policy) {
        Objects.requireNonNull(strategy, "strategy");
        Objects.requireNonNull(settings, "settings");
        List<BackendSpec> specs = List.copyOf(backends);
        checkApplicable(name, settings, specs, checkTransport);
        if (control.onControlThread()) {
            // Another reconfiguration may hold the lock below while it waits for this very thread.
            throw new IllegalStateException("pool " + name + ": reconfigure called on its own control thread");
        }
        synchronized (reconfiguring) {
            if (control.closed()) {
                throw new IllegalStateException("pool " + name + ": closed");
            }
            Set<String> knownHosts = new HashSet<>();
            for (BackendSpec spec : control.specs()) {
                knownHosts.add(spec.authority());
            }
            Map<BackendSpec, List<InetSocketAddress>> addresses = new HashMap<>();
            for (BackendSpec spec : specs) {
                if (SpecAddresses.isLiteral(spec.host()) || !knownHosts.contains(spec.authority())) {
                    addresses.computeIfAbsent(spec, s -> SpecAddresses.of(s, resolver));
                }
            }
            return control.reconfigure(strategy, settings, specs, addresses, policy);
        }
    }

    private static void checkApplicable(String name, PoolSettings settings, List<BackendSpec> specs,
            boolean checkTransport) {
        if (specs.isEmpty()) {
            throw new IllegalArgumentException("backends: [] (expected: at least one backend)");
        }
        if (settings.healthCheck().enabled() && !checkTransport) {
            throw new IllegalStateException("pool " + name + ": a " + settings.healthCheck().type().label()
                    + " health check needs healthCheckTransport(loops, channels)");
        }
    }

    PoolControl control() {
        return control;
    }

    void connectPolicy(ConnectPolicy policy) {
        connectPolicy = policy;
    }

    void publish(PoolSnapshot next, List<PoolMember> all) {
        members = all;
        snapshot = next;
        if (waiters.size() > 0) {
            serveWaiters();
        }
    }

    @Override
    public String toString() {
        return "Pool[" + name + ", " + members + "]";
    }

    /** Builds a {@link Pool}; {@link #build} resolves hostnames, so it may block. */
    public static final class Builder {

        private final String name;
        private final BalancingStrategy strategy;
        private final List<BackendSpec> backends;
        private PoolSettings settings = PoolSettings.DEFAULT;
        private Resolver resolver = Resolver.system();
        private EventLoopGroup checkLoops;
        private Supplier<? extends Channel> checkChannels;
        private ConnectPolicy connectPolicy;

        private Builder(String name, BalancingStrategy strategy, List<BackendSpec> backends) {
            this.name = Objects.requireNonNull(name, "name");
            this.strategy = Objects.requireNonNull(strategy, "strategy");
            this.backends = List.copyOf(backends);
        }

        public Builder settings(PoolSettings poolSettings) {
            this.settings = Objects.requireNonNull(poolSettings, "settings");
            return this;
        }

        /**
         * How the relay connects to this pool's members (tries, deadline, queue timeout); unset, a listener uses
         * the policy it was bound with.
         */
        public Builder connectPolicy(ConnectPolicy policy) {
            this.connectPolicy = Objects.requireNonNull(policy, "policy");
            return this;
        }

        /** Where hostnames are resolved; {@link Resolver#system()} unless a test fakes it. */
        public Builder resolver(Resolver hostResolver) {
            this.resolver = Objects.requireNonNull(hostResolver, "resolver");
            return this;
        }

        /**
         * The event loops active health checks run on, and how to make a client channel of their transport
         * (e.g. the relay's {@code eventLoops()} and {@code transportKit()::newClientChannel}). Required when the
         * settings have a health check.
         */
        public Builder healthCheckTransport(EventLoopGroup loops, Supplier<? extends Channel> channels) {
            this.checkLoops = Objects.requireNonNull(loops, "loops");
            this.checkChannels = Objects.requireNonNull(channels, "channels");
            return this;
        }

        /**
         * @throws IllegalArgumentException when the list is empty or a hostname does not resolve
         * @throws IllegalStateException when the settings have a health check but no transport was given
         */
        public Pool build() {
            checkApplicable(name, settings, backends, checkLoops != null);
            List<PoolMember> initial = new ArrayList<>();
            Set<InetSocketAddress> seen = new HashSet<>();
            for (BackendSpec spec : backends) {
                for (InetSocketAddress address : SpecAddresses.of(spec, resolver)) {
                    if (seen.add(address)) {
                        initial.add(new PoolMember(spec, address, settings.maxConnections()));
                    }
                }
            }
            return new Pool(this, initial);
        }
    }
}
