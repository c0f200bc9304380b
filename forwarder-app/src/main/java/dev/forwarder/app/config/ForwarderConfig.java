package dev.forwarder.app.config;

import dev.forwarder.core.Transport;

import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The whole validated configuration, as {@link ConfigLoader} reads it from the {@code forwarder} block.
 *
 * @param transport which Netty transport to run on
 * @param ioThreads event loops shared by all listeners, 0 (one per core) to {@link #MAX_IO_THREADS}
 * @param shutdownTimeout on SIGTERM, how long open connections may take to finish; &gt;= 0
 * @param metricsEnabled whether listeners and pools record metrics; when false the relay reports to no observer
 *        and the registry stays empty
 * @param metricsJmx whether the registry is also published as JMX MBeans (with {@code metricsEnabled} only)
 * @param listeners by name, at least one, each naming a pool in {@code pools}; iterated in name order
 * @param pools by name; iterated in name order
 * @param admin the admin port ({@code forwarder.admin})
 */
public record ForwarderConfig(
        Transport transport,
        int ioThreads,
        Duration shutdownTimeout,
        boolean metricsEnabled,
        boolean metricsJmx,
        Map<String, ListenerConfig> listeners,
        Map<String, PoolConfig> pools,
        AdminConfig admin) {

    public static final int MAX_IO_THREADS = 1024;

    /** Without an admin port. */
    public ForwarderConfig(Transport transport, int ioThreads, Duration shutdownTimeout, boolean metricsEnabled,
            Map<String, ListenerConfig> listeners, Map<String, PoolConfig> pools) {
        this(transport, ioThreads, shutdownTimeout, metricsEnabled, false, listeners, pools, AdminConfig.DISABLED);
    }

    public ForwarderConfig {
        Objects.requireNonNull(admin, "admin");
        Objects.requireNonNull(transport, "transport");
        Objects.requireNonNull(shutdownTimeout, "shutdownTimeout");
        listeners = Collections.unmodifiableMap(new TreeMap<>(listeners));
        pools = Collections.unmodifiableMap(new TreeMap<>(pools));
        if (ioThreads < 0 || ioThreads > MAX_IO_THREADS) {
            throw new IllegalArgumentException("ioThreads: " + ioThreads + " (expected: 0-" + MAX_IO_THREADS + ")");
        }
        if (shutdownTimeout.isNegative()) {
            throw new IllegalArgumentException("shutdownTimeout: " + shutdownTimeout + " (expected: >= 0)");
        }
        if (listeners.isEmpty()) {
            throw new IllegalArgumentException("listeners: {} (expected: at least one listener)");
        }
        for (Map.Entry<String, ListenerConfig> entry : listeners.entrySet()) {
            ListenerConfig listener = entry.getValue();
            if (!entry.getKey().equals(listener.name())) {
                throw new IllegalArgumentException(
                        "listeners: key " + entry.getKey() + " holds listener " + listener.name());
            }
            if (!pools.containsKey(listener.pool())) {
                throw new IllegalArgumentException("listener " + listener.name() + ": pool " + listener.pool()
                        + " (expected one of: " + String.join(", ", pools.keySet()) + ")");
            }
        }
        for (Map.Entry<String, PoolConfig> entry : pools.entrySet()) {
            if (!entry.getKey().equals(entry.getValue().name())) {
                throw new IllegalArgumentException(
                        "pools: key " + entry.getKey() + " holds pool " + entry.getValue().name());
            }
        }
    }

    /** The pool {@code listener} sends its connections to. */
    public PoolConfig poolOf(ListenerConfig listener) {
        return pools.get(listener.pool());
    }
}
