package dev.forwarder.app;

import com.codahale.metrics.MetricRegistry;
import dev.forwarder.app.config.ForwarderConfig;
import dev.forwarder.app.config.ListenerConfig;
import dev.forwarder.app.config.PoolConfig;
import dev.forwarder.app.metrics.ListenerMetrics;
import dev.forwarder.app.metrics.PoolMetrics;
import dev.forwarder.app.config.WhenNoBackend;
import dev.forwarder.balancer.BalancingStrategy;
import dev.forwarder.balancer.Pool;
import dev.forwarder.balancer.PoolListener;
import dev.forwarder.balancer.PoolMember;
import dev.forwarder.core.Addresses;
import dev.forwarder.core.BoundListener;
import dev.forwarder.core.CloseReason;
import dev.forwarder.core.ConnectionObserver;
import dev.forwarder.core.ListenerBindException;
import dev.forwarder.core.RelayServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;

/**
 * A running forwarder: the relay with every configured listener bound to its pool, and the metrics they record.
 * Each instance has its own {@link MetricRegistry}; its metrics stay readable after {@link #shutdown}. With
 * {@code metrics.enabled = false} the registry stays empty and the relay reports to {@link ConnectionObserver#NOOP}.
 *
 * <p>Pools run their health checks on the relay's event loops, and tell the relay (through a {@link PoolListener})
 * when a pool's listeners should pause or resume accepting ({@code when-no-backend = pause-accept}) and when a
 * down backend's connections should be closed ({@code on-down = close-sessions}).
 */
public final class Forwarder implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Forwarder.class);
    // Epoll words errors as "bind(..) failed with error(-98): Address already in use"; users need the reason.
    private static final Pattern NATIVE_PREFIX =
            Pattern.compile("^[a-z_]+\\(\\.\\.\\) failed( with error\\(-?[0-9]+\\))?: ");

    /** How long a paused listener waits before binding again when its port was taken meanwhile. */
    static final Duration RESUME_RETRY = Duration.ofSeconds(1);

    private final ForwarderConfig config;
    private final RelayServer relay;
    private final MetricRegistry metrics;
    private final Map<String, BoundListener> listeners;
    private final Map<String, Pool> pools;
    private final AtomicBoolean stopped = new AtomicBoolean();

    private Forwarder(ForwarderConfig config, RelayServer relay, MetricRegistry metrics,
            Map<String, BoundListener> listeners, Map<String, Pool> pools) {
        this.config = config;
        this.relay = relay;
        this.metrics = metrics;
        this.listeners = Map.copyOf(listeners);
        this.pools = Map.copyOf(pools);
    }

    /**
     * Starts the event loops and binds every listener; returns once all of them accept connections.
     *
     * @throws ListenerBindException when a listener cannot bind, with a message like
     *         {@code listener web: cannot bind 127.0.0.1:8080: Address already in use}; nothing stays bound
     */
    public static Forwarder start(ForwarderConfig config) throws ListenerBindException {
        MetricRegistry metrics = new MetricRegistry();
        RelayServer relay = RelayServer.start(config.transport(), config.ioThreads());
        Map<String, Pool> pools = new LinkedHashMap<>();
        Map<String, BoundListener> bound = new LinkedHashMap<>();
        try {
            for (PoolConfig pool : config.pools().values()) {
                Pool built = Pool.builder(pool.name(), BalancingStrategy.named(pool.strategy()), pool.backends())
                        .settings(pool.settings())
                        .healthCheckTransport(relay.eventLoops(), relay.transportKit()::newClientChannel)
                        .build();
                pools.put(pool.name(), built);
                if (config.metricsEnabled()) {
                    PoolMetrics.register(metrics, built);
                }
            }
            for (ListenerConfig listener : config.listeners().values()) {
                PoolConfig pool = config.poolOf(listener);
                ConnectionObserver observer = config.metricsEnabled()
                        ? new ListenerMetrics(metrics, listener.name()) : ConnectionObserver.NOOP;
                bound.put(listener.name(), bind(relay, listener, pool, pools.get(pool.name()), observer));
            }
        } catch (ListenerBindException | RuntimeException e) {
            pools.values().forEach(Pool::close);
            relay.close();
            throw e;
        }
        Forwarder forwarder = new Forwarder(config, relay, metrics, bound, pools);
        for (Pool pool : pools.values()) {
            List<BoundListener> pausing = new ArrayList<>();
            for (ListenerConfig listener : config.listeners().values()) {
                if (listener.pool().equals(pool.name()) && listener.whenNoBackend() == WhenNoBackend.PAUSE_ACCEPT) {
                    pausing.add(bound.get(listener.name()));
                }
            }
            pool.addListener(forwarder.new RelayHook(pausing));
            pool.start();
        }
        for (BoundListener listener : bound.values()) {
            ListenerConfig settings = config.listeners().get(listener.name());
            log.info("started listener={} address={} pool={} backends={}", listener.name(),
                    Addresses.format(listener.localAddress()), settings.pool(),
                    config.poolOf(settings).backends().size());
        }
        return forwarder;
    }

    private static BoundListener bind(RelayServer relay, ListenerConfig listener, PoolConfig poolConfig, Pool pool,
            ConnectionObserver observer) throws ListenerBindException {
        try {
            return relay.bind(listener.toSettings(poolConfig.connectTimeout()), pool, observer,
                    poolConfig.connectPolicy());
        } catch (ListenerBindException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            String reason = cause.getMessage() == null ? cause.getClass().getSimpleName()
                    : NATIVE_PREFIX.matcher(cause.getMessage()).replaceFirst("");
            throw new ListenerBindException(
                    "listener " + listener.name() + ": cannot bind " + listener.bindAuthority() + ": " + reason, cause);
        }
    }

    /** The address {@code listenerName} is bound to, with the real port where the config said 0. */
    public InetSocketAddress listenerAddress(String listenerName) {
        BoundListener listener = listeners.get(listenerName);
        if (listener == null) {
            throw new IllegalArgumentException("listenerName: " + listenerName + " (expected one of: "
                    + String.join(", ", config.listeners().keySet()) + ")");
        }
        return listener.localAddress();
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
        log.info("stopping listeners={} open_connections={} drain_ms={}", listeners.size(),
                relay.activeConnections(), drain.toMillis());
        // First, so that no health verdict resumes a paused listener during the drain.
        pools.values().forEach(Pool::close);
        int cut = relay.shutdown(drain);
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
     * waits for the listening sockets to close) is fine here.
     */
    private final class RelayHook implements PoolListener {

        private final List<BoundListener> pausing;

        RelayHook(List<BoundListener> pausing) {
            this.pausing = pausing;
        }

        @Override
        public void availabilityChanged(Pool pool, boolean available) {
            for (BoundListener listener : pausing) {
                if (stopped.get()) {
                    return;
                }
                if (available) {
                    resume(listener, pool);
                } else {
                    listener.pauseAccepting();
                }
            }
        }

        /**
         * Binds the listener again; while something else holds the port, tries again every second for as long
         * as the pool stays available and forwarder runs.
         */
        private void resume(BoundListener listener, Pool pool) {
            if (stopped.get() || !pool.available()) {
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
