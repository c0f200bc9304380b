package dev.forwarder.balancer;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Resolves a pool's hostname backends again every {@code resolve-interval}, on a daemon thread of its own (a lookup
 * may block for seconds, which neither an event loop nor the control thread can afford), and hands each answer to
 * {@link PoolControl#resolved}. A failed lookup keeps the members the pool has.
 */
final class PoolResolver {

    private static final Logger log = LoggerFactory.getLogger(Pool.class);

    private final String poolName;
    private final List<BackendSpec> hostnames;
    private final Resolver resolver;
    private final Duration interval;
    private final PoolControl control;
    private ScheduledExecutorService thread;

    PoolResolver(String poolName, List<BackendSpec> specs, Resolver resolver, Duration interval,
            PoolControl control) {
        this.poolName = poolName;
        this.hostnames = hostnamesOf(specs);
        this.resolver = resolver;
        this.interval = interval;
        this.control = control;
    }

    private static List<BackendSpec> hostnamesOf(List<BackendSpec> specs) {
        return specs.stream().filter(spec -> !SpecAddresses.isLiteral(spec.host())).toList();
    }

    /** Whether it looks up exactly the hostnames of {@code specs}, every {@code every}. */
    boolean covers(List<BackendSpec> specs, Duration every) {
        return interval.equals(every) && hostnames.equals(hostnamesOf(specs));
    }

    /** Starts the periodic lookups, if there is a hostname and an interval. Called on the control thread. */
    synchronized void start() {
        if (hostnames.isEmpty() || interval.isZero() || thread != null) {
            return;
        }
        thread = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread t = new Thread(runnable, "forwarder-resolve-" + poolName);
            t.setDaemon(true);
            return t;
        });
        long nanos = interval.toNanos();
        thread.scheduleWithFixedDelay(this::resolveAll, nanos, nanos, TimeUnit.NANOSECONDS);
    }

    synchronized void close() {
        if (thread != null) {
            thread.shutdownNow();
        }
    }

    /** Looks every hostname up once. */
    void resolveAll() {
        for (BackendSpec spec : hostnames) {
            try {
                List<InetAddress> addresses = resolver.resolve(spec.host());
                if (addresses.isEmpty()) {
                    throw new UnknownHostException(spec.host() + ": no address");
                }
                control.resolved(spec, addresses);
            } catch (UnknownHostException | RuntimeException e) {
                log.warn("resolve failed pool={} host={} error=\"{}\" keeping=current-members", poolName,
                        spec.host(), e.toString());
            }
        }
    }
}
