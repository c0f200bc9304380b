package dev.forwarder.balancer;

import dev.forwarder.balancer.health.HealthChecker;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * A pool's state machine. Everything that changes a member's state runs here, on one control thread per pool,
 * one task at a time: health verdicts, connect-failure thresholds, cool-downs, slow-start ramps, DNS results and
 * drained members. So the fields it owns (and the control-thread fields of {@link PoolMember}) need no lock, and
 * the pick path only ever reads the snapshot this class publishes.
 *
 * <p>The thread exists only while there is work: it times out when idle, so pools without checks cost none.
 */
final class PoolControl {

    private static final Logger log = LoggerFactory.getLogger(Pool.class);
    private static final long MIN_RAMP_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Pool pool;
    private final PoolSettings settings;
    private final List<BackendSpec> specs;
    private final HealthChecker checker;
    private final PoolResolver resolver;
    private final ScheduledThreadPoolExecutor executor;
    // Control thread only.
    private final List<PoolMember> members;
    private final List<PoolListener> listeners = new ArrayList<>();
    private boolean available;
    private ScheduledFuture<?> rampTicks;
    private volatile boolean closed;

    PoolControl(Pool pool, List<BackendSpec> specs, List<PoolMember> initial, Resolver hostResolver,
            HealthChecker checker) {
        this.pool = pool;
        this.settings = pool.settings();
        this.specs = specs;
        this.checker = checker;
        this.members = new ArrayList<>(initial);
        this.executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread thread = new Thread(runnable, "forwarder-pool-" + pool.name());
            thread.setDaemon(true);
            return thread;
        });
        executor.setKeepAliveTime(1, TimeUnit.SECONDS);
        executor.allowCoreThreadTimeOut(true);
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
        this.resolver = new PoolResolver(pool.name(), specs, hostResolver, settings.resolveInterval(), this);
        // Still on the building thread, before the pool is shared: the executor's hand-off publishes these.
        for (PoolMember member : members) {
            member.health = initialHealth();
            member.state(stateOf(member));
            member.everUp = member.state() == MemberState.UP;
        }
        available = publish();
    }

    private MemberState initialHealth() {
        return checker == null ? MemberState.UP : settings.healthCheck().initialState();
    }

    void start() {
        execute(() -> {
            if (checker != null) {
                for (PoolMember member : members) {
                    checker.start(member, member.health);
                }
            }
            resolver.start();
        });
    }

    void close() {
        closed = true;
        if (checker != null) {
            checker.close();
        }
        resolver.close();
        executor.shutdown();
    }

    void addListener(PoolListener listener) {
        execute(() -> {
            listeners.add(listener);
            notify(l -> l.availabilityChanged(pool, available));
        });
    }

    /** From the checker, on an event loop. */
    void verdict(PoolMember member, MemberState verdict, String detail) {
        execute(() -> {
            if (member.draining || member.health == verdict) {
                return;
            }
            member.health = verdict;
            update(member, "reason=health-check " + detail);
        });
    }

    /** From a connect failure over the threshold, on an event loop; repeats while it stays over are ignored. */
    void connectFailures(PoolMember member, Throwable cause) {
        execute(() -> {
            if (member.state() != MemberState.UP) {
                return;
            }
            member.coolingUntil = System.nanoTime() + settings.failTimeout().toNanos();
            executor.schedule(() -> coolDownOver(member), settings.failTimeout().toNanos(), TimeUnit.NANOSECONDS);
            update(member, "reason=connect-failures fails=" + settings.maxFails() + " cool_down_ms="
                    + settings.failTimeout().toMillis() + " error=\"" + cause + "\"");
        });
    }

    private void coolDownOver(PoolMember member) {
        if (member.coolingUntil == 0) {
            return;
        }
        member.coolingUntil = 0;
        member.onProbation(settings.maxFails() - 1, System.nanoTime());
        update(member, "reason=cool-down-over");
    }

    /** A draining member's last connection ended. */
    void drained(PoolMember member) {
        execute(() -> {
            if (!member.draining || member.activeConnections() > 0 || !members.remove(member)) {
                return;
            }
            log.info("backend removed pool={} backend={} host={} reason=drained", pool.name(), member.name(),
                    member.host());
            notify(l -> l.memberRemoved(pool, member));
            publish();
        });
    }

    /** From the resolver thread: the addresses {@code spec} resolves to now. */
    void resolved(BackendSpec spec, List<InetAddress> addresses) {
        execute(() -> {
            Set<InetAddress> fresh = new LinkedHashSet<>(addresses);
            for (PoolMember member : List.copyOf(members)) {
                if (member.spec() != spec) {
                    continue;
                }
                if (fresh.remove(member.address().getAddress())) {
                    if (member.draining) {
                        member.draining = false;
                        member.health = initialHealth();
                        startChecks(member);
                        update(member, "reason=dns host=" + spec.host() + " back=true");
                    }
                } else if (!member.draining) {
                    member.draining = true;
                    if (checker != null) {
                        checker.stop(member);
                    }
                    update(member, "reason=dns host=" + spec.host() + " gone=true active="
                            + member.activeConnections());
                    if (member.activeConnections() == 0) {
                        drained(member);
                    }
                }
            }
            for (InetAddress address : fresh) {
                InetSocketAddress socketAddress = new InetSocketAddress(address, spec.port());
                if (members.stream().anyMatch(m -> m.address().equals(socketAddress))) {
                    continue;
                }
                PoolMember member = new PoolMember(spec, socketAddress, settings.maxConnections());
                member.health = initialHealth();
                member.state(stateOf(member));
                member.everUp = member.state() == MemberState.UP;
                members.add(insertionPoint(spec), member);
                log.info("backend added pool={} backend={} host={} reason=dns state={}", pool.name(), member.name(),
                        spec.host(), label(member.state()));
                notify(l -> l.memberAdded(pool, member));
                startChecks(member);
            }
            publish();
        });
    }

    /** After the last member of {@code spec} or of any spec before it: members stay in config order. */
    private int insertionPoint(BackendSpec spec) {
        int specIndex = specs.indexOf(spec);
        int at = 0;
        for (int i = 0; i < members.size(); i++) {
            if (specs.indexOf(members.get(i).spec()) <= specIndex) {
                at = i + 1;
            }
        }
        return at;
    }

    private void startChecks(PoolMember member) {
        if (checker != null) {
            checker.start(member, member.health);
        }
    }

    private static MemberState stateOf(PoolMember member) {
        if (member.draining) {
            return MemberState.DRAINING;
        }
        if (member.health == MemberState.DOWN) {
            return MemberState.DOWN;
        }
        return member.coolingUntil != 0 ? MemberState.FAILED : MemberState.UP;
    }

    /** Recomputes {@code member}'s state from its inputs; on a change logs it, tells listeners, publishes. */
    private void update(PoolMember member, String why) {
        MemberState from = member.state();
        MemberState to = stateOf(member);
        if (from == to) {
            return;
        }
        member.state(to);
        String ramp = "";
        if (to == MemberState.UP) {
            if (member.everUp && !settings.slowStart().isZero()) {
                member.ramping = true;
                member.rampStart = System.nanoTime();
                member.scaledWeight(rampWeight(member, member.rampStart));
                scheduleRampTicks();
                ramp = " slow_start_ms=" + settings.slowStart().toMillis();
            } else {
                member.scaledWeight(member.weight() * PoolMember.WEIGHT_SCALE);
            }
            member.everUp = true;
        } else {
            member.ramping = false;
        }
        log.info("backend {} pool={} backend={} from={} {}{}", to == MemberState.FAILED ? "down" : label(to),
                pool.name(), member.name(), label(from), why + (to == MemberState.FAILED ? " state=failed" : ""),
                ramp);
        notify(l -> l.memberChanged(pool, member, from, to));
        if (to == MemberState.DOWN && settings.onDown() == OnDown.CLOSE_SESSIONS) {
            notify(l -> l.closeSessions(pool, member));
        }
        publish();
    }

    private int rampWeight(PoolMember member, long now) {
        long full = (long) member.weight() * PoolMember.WEIGHT_SCALE;
        long elapsed = now - member.rampStart;
        long total = settings.slowStart().toNanos();
        return elapsed >= total ? (int) full : (int) Math.max(1, full * elapsed / total);
    }

    private void scheduleRampTicks() {
        if (rampTicks == null) {
            long tick = Math.max(MIN_RAMP_TICK_NANOS, settings.slowStart().toNanos() / 10);
            rampTicks = executor.scheduleAtFixedRate(this::rampTick, tick, tick, TimeUnit.NANOSECONDS);
        }
    }

    private void rampTick() {
        long now = System.nanoTime();
        boolean stillRamping = false;
        for (PoolMember member : members) {
            if (member.ramping) {
                int weight = rampWeight(member, now);
                member.scaledWeight(weight);
                member.ramping = weight < member.weight() * PoolMember.WEIGHT_SCALE;
                stillRamping |= member.ramping;
            }
        }
        if (!stillRamping && rampTicks != null) {
            rampTicks.cancel(false);
            rampTicks = null;
        }
        publish();
    }

    /**
     * Builds and swaps the snapshot (always new list instances, so strategies rebuild what they derive from it)
     * and tells listeners when availability changed. Waiting connections get any room the change made.
     *
     * @return whether any member is available
     */
    private boolean publish() {
        List<PoolMember> primaries = new ArrayList<>();
        List<PoolMember> backups = new ArrayList<>();
        boolean limited = false;
        for (PoolMember member : members) {
            limited |= member.maxConnections() > 0;
            if (member.state() == MemberState.UP) {
                (member.backup() ? backups : primaries).add(member);
            }
        }
        pool.publish(new Pool.Snapshot(List.copyOf(primaries), List.copyOf(backups), limited),
                List.copyOf(members));
        boolean nowAvailable = !primaries.isEmpty() || !backups.isEmpty();
        if (nowAvailable != available) {
            available = nowAvailable;
            if (nowAvailable) {
                log.info("pool available pool={} up={}", pool.name(), primaries.size() + backups.size());
            } else {
                log.warn("pool unavailable pool={} members={} reason=no-member-up", pool.name(), members.size());
            }
            notify(l -> l.availabilityChanged(pool, nowAvailable));
        }
        return nowAvailable;
    }

    private void notify(java.util.function.Consumer<PoolListener> event) {
        if (closed) {
            return;
        }
        for (PoolListener listener : listeners) {
            try {
                event.accept(listener);
            } catch (RuntimeException e) {
                log.warn("pool listener failed pool={} listener={}", pool.name(), listener, e);
            }
        }
    }

    void execute(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException closedAlready) {
            // The pool is closed: its state no longer matters.
        }
    }

    static String label(MemberState state) {
        return state.name().toLowerCase(Locale.ROOT);
    }
}
