package dev.forwarder.app;

import com.codahale.metrics.MetricFilter;
import com.codahale.metrics.MetricRegistry;
import com.codahale.metrics.jmx.JmxReporter;
import dev.forwarder.app.admin.AdminRoutes;
import dev.forwarder.app.admin.AdminServer;
import dev.forwarder.app.admin.MetricsWriter;
import dev.forwarder.app.admin.ReloadHook;
import dev.forwarder.app.capture.CaptureManager;
import dev.forwarder.app.capture.Dump;
import dev.forwarder.app.capture.SummaryManager;
import dev.forwarder.app.config.AdminConfig;
import dev.forwarder.app.config.ForwarderConfig;
import dev.forwarder.app.config.ListenerConfig;
import dev.forwarder.app.config.ListenerTls;
import dev.forwarder.app.config.PoolConfig;
import dev.forwarder.app.config.PoolTls;
import dev.forwarder.app.config.WhenNoBackend;
import dev.forwarder.app.metrics.JmxNames;
import dev.forwarder.app.metrics.ListenerMetrics;
import dev.forwarder.app.metrics.MetricNames;
import dev.forwarder.app.metrics.PoolMetrics;
import dev.forwarder.app.metrics.PrometheusMetrics;
import dev.forwarder.balancer.BalancingStrategy;
import dev.forwarder.balancer.Pool;
import dev.forwarder.balancer.PoolChanges;
import dev.forwarder.balancer.PoolListener;
import dev.forwarder.balancer.PoolMember;
import dev.forwarder.core.Addresses;
import dev.forwarder.core.BoundListener;
import dev.forwarder.core.CloseReason;
import dev.forwarder.core.ConnectionHandlers;
import dev.forwarder.core.ConnectionObserver;
import dev.forwarder.core.ListenerBindException;
import dev.forwarder.core.RelayServer;
import dev.forwarder.core.tls.TlsOrigination;
import dev.forwarder.core.tls.TlsPool;
import dev.forwarder.core.tls.TlsProvider;
import dev.forwarder.core.tls.TlsTermination;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

/**
 * A running forwarder: the relay with every configured listener bound to its pool, and the metrics they record.
 * Each instance has its own {@link MetricRegistry}; its metrics stay readable after {@link #shutdown}. With
 * {@code metrics.enabled = false} the registry stays empty and the relay reports to {@link ConnectionObserver#NOOP}.
 *
 * <p>{@link #apply} changes a running forwarder to a new configuration in place (a reload): listeners and pools
 * are added, removed or changed, and no established connection is cut by it. Pools run their health checks on the
 * relay's event loops, and tell the relay (through a {@link PoolListener}) when a pool's listeners should pause or
 * resume accepting ({@code when-no-backend = pause-accept}) and when a down backend's connections should be closed
 * ({@code on-down = close-sessions}).
 */
public final class Forwarder implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Forwarder.class);
    // Epoll words errors as "bind(..) failed with error(-98): Address already in use"; users need the reason.
    private static final Pattern NATIVE_PREFIX =
            Pattern.compile("^[a-z_]+\\(\\.\\.\\) failed( with error\\(-?[0-9]+\\))?: ");

    /** How long a paused listener waits before binding again when its port was taken meanwhile. */
    static final Duration RESUME_RETRY = Duration.ofSeconds(1);

    private final RelayServer relay;
    private final MetricRegistry metrics = new MetricRegistry();
    private final PoolMetrics poolMetrics = new PoolMetrics(metrics);
    // metrics.jmx = true: the registry's MBeans, from start to shutdown.
    private volatile JmxReporter jmx;
    private final AtomicBoolean stopped = new AtomicBoolean();
    private final RelayHook hook = new RelayHook();
    // Changed only under the lock, by apply; each an immutable value swapped whole, so readers need no lock.
    private final Object changes = new Object();
    private volatile ForwarderConfig config;
    private volatile Map<String, BoundListener> listeners = Map.of();
    private volatile Map<String, Pool> pools = Map.of();
    private final Map<String, ConnectionObserver> observers = new LinkedHashMap<>();
    private final CaptureManager captures = new CaptureManager();
    // capture.summary per listener.
    private final SummaryManager summaries = new SummaryManager();
    // run --dump: every listener's traffic on standard output; null without.
    private final Dump dump;
    private final AtomicBoolean draining = new AtomicBoolean();
    private volatile AdminServer admin;
    private volatile ReloadHook reloadHook;
    private volatile MetricsWriter metricsWriter;

    private Forwarder(ForwarderConfig config, Dump dump) {
        this.relay = RelayServer.start(config.transport(), config.ioThreads());
        this.dump = dump;
    }

    /**
     * Starts the event loops and binds every listener; returns once all of them accept connections.
     *
     * @throws ListenerBindException when a listener cannot bind, with a message like
     *         {@code listener web: cannot bind 127.0.0.1:8080: Address already in use}; nothing stays bound
     */
    public static Forwarder start(ForwarderConfig config) throws ListenerBindException {
        return start(config, null);
    }

    /**
     * {@link #start(ForwarderConfig)}, with every listener's traffic shown by {@code dump} ({@code run --dump});
     * the forwarder closes it when it stops.
     */
    public static Forwarder start(ForwarderConfig config, Dump dump) throws ListenerBindException {
        Forwarder forwarder = new Forwarder(config, dump);
        try {
            forwarder.apply(config);
        } catch (ListenerBindException | RuntimeException e) {
            forwarder.relay.close();
            if (dump != null) {
                dump.close();
            }
            throw e;
        }
        if (config.metricsEnabled() && config.metricsJmx()) {
            forwarder.jmx = JmxReporter.forRegistry(forwarder.metrics).inDomain("forwarder")
                    .createsObjectNamesWith(new JmxNames()).build();
            forwarder.jmx.start();
        }
        if (config.metricsEnabled()) {
            forwarder.metricsWriter = prometheus(new PrometheusMetrics(forwarder.metrics));
        }
        // Before the started lines: whoever waits for them (a test, a supervisor) finds the port up too.
        if (config.admin().enabled()) {
            try {
                forwarder.startAdmin(config.admin());
            } catch (ListenerBindException | RuntimeException e) {
                forwarder.shutdown(Duration.ZERO);
                throw e;
            }
        }
        for (BoundListener listener : forwarder.listeners.values()) {
            ListenerConfig settings = config.listeners().get(listener.name());
            log.info("started listener={} address={} pool={} backends={}", listener.name(),
                    Addresses.format(listener.localAddress()), settings.pool(),
                    config.poolOf(settings).backends().size());
        }
        return forwarder;
    }

    /** {@code GET /metrics}: the registry in the Prometheus text format. */
    private static MetricsWriter prometheus(PrometheusMetrics exposition) {
        return new MetricsWriter() {
            @Override
            public String contentType() {
                return exposition.contentType();
            }

            @Override
            public void write(java.io.OutputStream out) throws java.io.IOException {
                exposition.writeTo(out);
            }
        };
    }

    /**
     * Changes this forwarder to {@code next} in place. New listeners are bound first; if one cannot bind (its port
     * is in use), nothing has changed and the exception says why. Then changed pools take their new members,
     * weights, strategy and settings (members that leave drain), new pools start, changed listeners give their new
     * settings to new connections, and removed listeners stop accepting and drain for {@code shutdown-timeout}.
     * Open connections of listeners that stay are never cut.
     *
     * @return what changed, for a log line
     * @throws IllegalArgumentException when {@code next} changes what needs a restart (transport, io-threads,
     *     metrics.enabled, metrics.jmx); nothing has changed
     * @throws ListenerBindException when a new listener cannot bind; nothing has changed
     */
    public Reconfiguration apply(ForwarderConfig next) throws ListenerBindException {
        Objects.requireNonNull(next, "next");
        synchronized (changes) {
            if (stopped.get()) {
                throw new IllegalStateException("forwarder is stopped");
            }
            ForwarderConfig current = config;
            if (current != null) {
                requireSameRestartSettings(current, next);
            }
            // Everything that can fail and be undone comes first: new pools (hostnames resolve here) and binds.
            Map<String, Pool> addedPools = new LinkedHashMap<>();
            Map<String, BoundListener> bound = new LinkedHashMap<>();
            Map<String, Pool> nextPools = new LinkedHashMap<>();
            try {
                for (PoolConfig poolConfig : next.pools().values()) {
                    Pool pool = pools.get(poolConfig.name());
                    if (pool == null) {
                        pool = build(poolConfig);
                        addedPools.put(poolConfig.name(), pool);
                    }
                    nextPools.put(poolConfig.name(), pool);
                }
                for (ListenerConfig listener : next.listeners().values()) {
                    BoundListener running = listeners.get(listener.name());
                    if (running == null || !sameAddress(running, listener)) {
                        bound.put(listener.name(), bind(listener, next, nextPools));
                    }
                }
            } catch (ListenerBindException | RuntimeException e) {
                bound.values().forEach(listener -> relay.unbind(listener, Duration.ZERO));
                addedPools.values().forEach(Pool::close);
                throw e;
            }
            Reconfiguration.Builder changed = new Reconfiguration.Builder();
            for (PoolConfig poolConfig : next.pools().values()) {
                if (current != null && !addedPools.containsKey(poolConfig.name())
                        && !poolConfig.equals(current.pools().get(poolConfig.name()))) {
                    Pool pool = nextPools.get(poolConfig.name());
                    PoolChanges members = pool.reconfigure(BalancingStrategy.named(poolConfig.strategy()),
                            poolConfig.settings(), poolConfig.backends(), poolConfig.connectPolicy());
                    pool.backendTls(origination(poolConfig));
                    changed.poolChanged(poolConfig.name(), members);
                }
            }
            Map<String, BoundListener> nextListeners = new LinkedHashMap<>();
            List<BoundListener> retired = new ArrayList<>();
            for (ListenerConfig listener : next.listeners().values()) {
                BoundListener running = listeners.get(listener.name());
                BoundListener fresh = bound.get(listener.name());
                if (fresh != null) {
                    nextListeners.put(listener.name(), fresh);
                    if (running != null) {
                        retired.add(running);
                        changed.listenerChanged(listener.name());
                    } else if (current != null) {
                        changed.listenerAdded(listener.name());
                    }
                } else {
                    if (!listener.equals(current.listeners().get(listener.name()))) {
                        update(running, listener, next, nextPools);
                        changed.listenerChanged(listener.name());
                    }
                    nextListeners.put(listener.name(), running);
                }
            }
            for (Map.Entry<String, BoundListener> old : listeners.entrySet()) {
                if (!next.listeners().containsKey(old.getKey())) {
                    retired.add(old.getValue());
                    changed.listenerRemoved(old.getKey());
                }
            }
            List<Pool> droppedPools = new ArrayList<>();
            for (Map.Entry<String, Pool> old : pools.entrySet()) {
                if (!next.pools().containsKey(old.getKey())) {
                    droppedPools.add(old.getValue());
                    changed.poolRemoved(old.getKey());
                }
            }
            config = next;
            listeners = Map.copyOf(nextListeners);
            pools = Map.copyOf(nextPools);
            applyCaptures(current, next, bound);
            for (Pool pool : addedPools.values()) {
                if (next.metricsEnabled()) {
                    poolMetrics.register(pool);
                }
                pool.addListener(hook);
                pool.start();
                if (current != null) {
                    changed.poolAdded(pool.name());
                }
            }
            for (BoundListener listener : retired) {
                retire(listener, next.listeners().containsKey(listener.name()), next.shutdownTimeout());
            }
            for (Pool pool : droppedPools) {
                // Its listeners are gone or moved to other pools; connections still draining only release.
                pool.close();
                poolMetrics.unregister(pool);
            }
            if (current != null) {
                syncPausing();
                if (current.admin().enabled() != next.admin().enabled()
                        || !current.admin().bind().equals(next.admin().bind())) {
                    log.warn("admin settings changed enabled={} bind={}: they take a restart, the admin port stays as"
                            + " it was", next.admin().enabled(), Addresses.format(next.admin().bind()));
                }
            }
            if (draining.get()) {
                // A listener this apply bound must not accept either.
                listeners.values().forEach(BoundListener::stopAccepting);
            }
            return changed.build();
        }
    }

    /**
     * Each listener's capture follows its config where that changed (or the listener is new or bound anew), so a
     * capture started at runtime stays until the config says otherwise; a removed listener's capture stops.
     */
    private void applyCaptures(ForwarderConfig current, ForwarderConfig next, Map<String, BoundListener> bound) {
        for (ListenerConfig listener : next.listeners().values()) {
            BoundListener running = listeners.get(listener.name());
            ListenerConfig before = current == null ? null : current.listeners().get(listener.name());
            boolean fresh = bound.containsKey(listener.name());
            if (fresh || before == null
                    || !before.capture().withSummary(false).equals(listener.capture().withSummary(false))) {
                captures.startFromConfig(running, listener.capture());
            }
            if (fresh || before == null || before.capture().summary() != listener.capture().summary()) {
                summaries.set(running, listener.capture().summary());
            }
            if (dump != null && fresh) {
                dump.attach(running);
            }
        }
        if (current != null) {
            for (String old : current.listeners().keySet()) {
                if (!next.listeners().containsKey(old)) {
                    captures.forget(old);
                    summaries.stop(old);
                }
            }
        }
    }

    /** The captures of this forwarder's listeners, to start and stop at runtime. */
    public CaptureManager captures() {
        return captures;
    }

    private void startAdmin(AdminConfig settings) throws ListenerBindException {
        admin = AdminServer.start(settings.bind(), new AdminRoutes(this));
        if (!settings.loopback() && settings.token().isEmpty()) {
            log.warn("admin port open beyond this machine without a token address={} risk=\"anyone who reaches it"
                    + " can drain backends and cut connections\" fix=\"set forwarder.admin.token or bind"
                    + " 127.0.0.1\"", Addresses.format(admin.address()));
        }
    }

    /** Where the admin port listens (the real port where the config said 0), or {@code null} without one. */
    public InetSocketAddress adminAddress() {
        AdminServer server = admin;
        return server == null ? null : server.address();
    }

    /** The admin port, or {@code null} without one. */
    public AdminServer adminServer() {
        return admin;
    }

    /** What {@code POST /api/reload} calls; until one is set it answers 503 "reload not configured". */
    public void reloadHook(ReloadHook hook) {
        reloadHook = hook;
    }

    public ReloadHook reloadHook() {
        return reloadHook;
    }

    /** What {@code GET /metrics} serves; until one is set it answers 503 "metrics not configured". */
    public void metricsWriter(MetricsWriter writer) {
        metricsWriter = writer;
    }

    public MetricsWriter metricsWriter() {
        return metricsWriter;
    }

    /**
     * Stops accepting on every listener, as at SIGTERM, but keeps running: open connections carry on, pools keep
     * checking, and {@code /readyz} answers 503 from now on. There is no way back but a restart. Idempotent.
     */
    public void drain() {
        if (!draining.compareAndSet(false, true)) {
            return;
        }
        synchronized (changes) {
            log.info("draining listeners={} open_connections={}", listeners.size(), relay.activeConnections());
            listeners.values().forEach(BoundListener::stopAccepting);
        }
    }

    /** Whether {@link #drain} or {@link #shutdown} has begun: no listener accepts any more. */
    public boolean draining() {
        return draining.get();
    }

    private static void requireSameRestartSettings(ForwarderConfig current, ForwarderConfig next) {
        requireSame("forwarder.transport", current.transport(), next.transport());
        requireSame("forwarder.io-threads", current.ioThreads(), next.ioThreads());
        requireSame("forwarder.metrics.enabled", current.metricsEnabled(), next.metricsEnabled());
        requireSame("forwarder.metrics.jmx", current.metricsJmx(), next.metricsJmx());
    }

    private static void requireSame(String key, Object running, Object wanted) {
        if (!running.equals(wanted)) {
            throw new IllegalArgumentException(key + ": " + label(wanted) + " needs a restart (expected: "
                    + label(running) + " while running)");
        }
    }

    private static String label(Object value) {
        return value instanceof Enum<?> e ? e.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-')
                : String.valueOf(value);
    }

    /** Whether {@code wanted} binds where {@code running} listens (a port 0 in the config counts as the real one). */
    private static boolean sameAddress(BoundListener running, ListenerConfig wanted) {
        InetSocketAddress bound = running.localAddress();
        InetSocketAddress asked = wanted.bind();
        return asked.getAddress().equals(bound.getAddress())
                && (asked.getPort() == bound.getPort() || asked.getPort() == 0 && running.settings().bind().getPort() == 0);
    }

    private Pool build(PoolConfig pool) {
        Pool built = Pool.builder(pool.name(), BalancingStrategy.named(pool.strategy()), pool.backends())
                .settings(pool.settings())
                .connectPolicy(pool.connectPolicy())
                .healthCheckTransport(relay.eventLoops(), relay.transportKit()::newClientChannel)
                .build();
        built.backendTls(origination(pool));
        return built;
    }

    private ConnectionObserver observer(String listener, ForwarderConfig next) {
        ConnectionObserver timeline = dump == null ? ConnectionObserver.NOOP : dump.observer();
        if (!next.metricsEnabled()) {
            return timeline;
        }
        ConnectionObserver listenerMetrics = observers.computeIfAbsent(listener,
                name -> new ListenerMetrics(metrics, name, poolMetrics));
        return ConnectionObserver.compose(List.of(listenerMetrics, timeline));
    }

    private BoundListener bind(ListenerConfig listener, ForwarderConfig next, Map<String, Pool> nextPools)
            throws ListenerBindException {
        PoolConfig poolConfig = next.poolOf(listener);
        try {
            return relay.bind(listener.toSettings(poolConfig.connectTimeout()), nextPools.get(poolConfig.name()),
                    observer(listener.name(), next), poolConfig.connectPolicy(), termination(listener, nextPools));
        } catch (ListenerBindException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            String reason = cause.getMessage() == null ? cause.getClass().getSimpleName()
                    : NATIVE_PREFIX.matcher(cause.getMessage()).replaceFirst("");
            throw new ListenerBindException(
                    "listener " + listener.name() + ": cannot bind " + listener.bindAuthority() + ": " + reason, cause);
        }
    }

    private void update(BoundListener running, ListenerConfig listener, ForwarderConfig next,
            Map<String, Pool> nextPools) throws ListenerBindException {
        PoolConfig poolConfig = next.poolOf(listener);
        running.update(listener.toSettings(poolConfig.connectTimeout()), nextPools.get(poolConfig.name()),
                observer(listener.name(), next), poolConfig.connectPolicy(), termination(listener, nextPools));
    }

    /**
     * A listener's TLS termination (its pools by server name and by ALPN protocol among {@code nextPools}), or
     * {@code null}.
     */
    private static ConnectionHandlers termination(ListenerConfig listener, Map<String, Pool> nextPools) {
        ListenerTls tls = listener.tls();
        if (!tls.enabled()) {
            return null;
        }
        log.info("tls listener={} provider={} certificate={} alpn={} sni_pools={} alpn_pools={}", listener.name(),
                TlsProvider.describe(engineOf(tls.context())),
                tls.certificate(), tls.alpn().isEmpty() ? "-" : String.join(",", tls.alpn()),
                tls.sniPools().isEmpty() ? "-" : tls.sniPools(), tls.alpnPools().isEmpty() ? "-" : tls.alpnPools());
        return new TlsTermination(listener.name(), tls.context(), listener.pool(), tlsPools(tls.sniPools(), nextPools),
                tlsPools(tls.alpnPools(), nextPools), tls.handshakeTimeout().toMillis());
    }

    private static Map<String, TlsPool> tlsPools(Map<String, String> names, Map<String, Pool> nextPools) {
        Map<String, TlsPool> pools = new LinkedHashMap<>();
        names.forEach((key, pool) -> pools.put(key, new TlsPool(pool, nextPools.get(pool))));
        return pools;
    }

    /** A pool's TLS origination, or {@code null}. */
    private static ConnectionHandlers origination(PoolConfig pool) {
        PoolTls tls = pool.tls();
        if (!tls.enabled()) {
            return null;
        }
        log.info("tls pool={} provider={} verify={} ca_file={} server_name={} alpn={}", pool.name(),
                TlsProvider.describe(engineOf(tls.context())), tls.verify(),
                tls.caFile() == null ? "-" : tls.caFile(), tls.serverName().isEmpty() ? "-" : tls.serverName(),
                tls.alpn().isEmpty() ? "-" : String.join(",", tls.alpn()));
        return new TlsOrigination(tls.context(), tls.serverName());
    }

    private static SslProvider engineOf(SslContext context) {
        return context instanceof io.netty.handler.ssl.JdkSslContext ? SslProvider.JDK : SslProvider.OPENSSL;
    }

    /** A listener that left the config, or moved to another address: it drains, then its metrics go. */
    private void retire(BoundListener listener, boolean stays, Duration drain) {
        // Async: the unbind completes on an event loop, which must never wait for the lock that apply holds while
        // it binds (a bind waits for an event loop).
        relay.unbind(listener, drain).whenCompleteAsync((cut, error) -> {
            log.info("listener removed listener={} address={} connections_cut={}", listener.name(),
                    Addresses.format(listener.localAddress()), cut);
            if (dump != null) {
                dump.detach(listener);
            }
            if (!stays) {
                synchronized (changes) {
                    if (!config.listeners().containsKey(listener.name())) {
                        observers.remove(listener.name());
                        metrics.removeMatching(MetricFilter.startsWith(MetricNames.listener(listener.name()) + "."));
                    }
                }
            }
        });
    }

    /** After an apply: each pause-accept listener pauses while its pool has nothing up, any other accepts. */
    private void syncPausing() {
        for (Map.Entry<String, BoundListener> entry : listeners.entrySet()) {
            ListenerConfig listener = config.listeners().get(entry.getKey());
            Pool pool = pools.get(listener.pool());
            boolean pause = listener.whenNoBackend() == WhenNoBackend.PAUSE_ACCEPT && !pool.available();
            if (pause) {
                entry.getValue().pauseAccepting();
            } else {
                hook.resume(entry.getValue(), pool);
            }
        }
    }

    /** The address {@code listenerName} is bound to, with the real port where the config said 0. */
    public InetSocketAddress listenerAddress(String listenerName) {
        return listener(listenerName).localAddress();
    }

    /**
     * The running listener {@code listenerName}: its registry of open connections, its settings.
     *
     * @throws IllegalArgumentException when no listener has that name
     */
    public BoundListener listener(String listenerName) {
        BoundListener listener = listeners.get(listenerName);
        if (listener == null) {
            throw new IllegalArgumentException("listenerName: " + listenerName + " (expected one of: "
                    + String.join(", ", config.listeners().keySet()) + ")");
        }
        return listener;
    }

    /**
     * The running pool {@code poolName}: its members, their states and counts.
     *
     * @throws IllegalArgumentException when no pool has that name
     */
    public Pool pool(String poolName) {
        Pool pool = pools.get(poolName);
        if (pool == null) {
            throw new IllegalArgumentException("poolName: " + poolName + " (expected one of: "
                    + String.join(", ", config.pools().keySet()) + ")");
        }
        return pool;
    }

    /** The configuration applied last. */
    public ForwarderConfig config() {
        return config;
    }

    public MetricRegistry metrics() {
        return metrics;
    }

    public RelayServer relay() {
        return relay;
    }

    /**
     * Stops accepting, lets open connections finish for up to {@code drain}, closes the rest and stops the event
     * loops. Only the first call does anything.
     *
     * @return how many connections were still open when the drain period ended and had to be cut
     */
    public int shutdown(Duration drain) {
        if (!stopped.compareAndSet(false, true)) {
            return 0;
        }
        draining.set(true);
        synchronized (changes) {
            log.info("stopping listeners={} open_connections={} drain_ms={}", listeners.size(),
                    relay.activeConnections(), drain.toMillis());
            // First, so that no health verdict resumes a paused listener during the drain.
            pools.values().forEach(Pool::close);
        }
        int cut = relay.shutdown(drain);
        captures.close();
        summaries.close();
        if (dump != null) {
            dump.close();
        }
        AdminServer server = admin;
        if (server != null) {
            // Last, so that /healthz answers and /readyz says 503 during the drain.
            server.close();
        }
        if (jmx != null) {
            jmx.stop();
        }
        log.info("stopped connections_cut={}", cut);
        return cut;
    }

    /** {@link #shutdown} with the configured {@code shutdown-timeout}. */
    @Override
    public void close() {
        shutdown(config.shutdownTimeout());
    }

    /**
     * What pools ask of the relay; runs on each pool's control thread, never on an event loop, so pausing (which
     * waits for the listening sockets to close) is fine here. Which listeners pause for a pool is read from the
     * configuration applied last.
     */
    private final class RelayHook implements PoolListener {

        @Override
        public void availabilityChanged(Pool pool, boolean available) {
            ForwarderConfig now = config;
            Map<String, BoundListener> running = listeners;
            for (ListenerConfig listener : now.listeners().values()) {
                BoundListener bound = running.get(listener.name());
                if (stopped.get()) {
                    return;
                }
                if (bound == null || !listener.pool().equals(pool.name())
                        || listener.whenNoBackend() != WhenNoBackend.PAUSE_ACCEPT) {
                    continue;
                }
                if (available) {
                    resume(bound, pool);
                } else {
                    bound.pauseAccepting();
                }
            }
        }

        /**
         * Binds the listener again; while something else holds the port, tries again every second for as long
         * as the pool stays available and forwarder runs.
         */
        void resume(BoundListener listener, Pool pool) {
            if (stopped.get() || draining.get() || !pool.available() || listener.isAccepting()
                    || listeners.get(listener.name()) != listener) {
                return;
            }
            try {
                listener.resumeAccepting();
            } catch (ListenerBindException e) {
                log.error("cannot resume listener={} pool={} retry_ms={} error=\"{}\"", listener.name(), pool.name(),
                        RESUME_RETRY.toMillis(), e.getMessage());
                CompletableFuture.delayedExecutor(RESUME_RETRY.toMillis(), TimeUnit.MILLISECONDS)
                        .execute(() -> resume(listener, pool));
            }
        }

        @Override
        public void closeSessions(Pool pool, PoolMember member) {
            relay.closeConnectionsTo(member, CloseReason.BACKEND_DOWN);
        }
    }
}
