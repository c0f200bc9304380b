package dev.forwarder.balancer;

import dev.forwarder.core.ConnectPolicy;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A pool's state machine. Everything that changes a member's state runs here, on one control thread per pool,
 * one task at a time: health verdicts, connect-failure thresholds, cool-downs, slow-start ramps, DNS results,
 * reconfigurations and drained members. So the fields it owns (and the control-thread fields of
 * {@link PoolMember}) need no lock, and the pick path only ever reads the snapshot this class publishes.
 * Reconciling the member list with DNS answers and new configs is {@link MemberReconciler}'s part.
 *
 * <p>The thread ({@link ControlThread}) exists only while there is work, so pools without checks cost none.
 */
final class PoolControl {

    private static final Logger log = LoggerFactory.getLogger(Pool.class);
    private static final long MIN_RAMP_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Pool pool;
    private final Resolver hostResolver;
    private final ControlThread thread;
    private final PoolChecks checks;
    private final MemberReconciler reconciler = new MemberReconciler(this);
    // Control thread only (the constructor's writes reach it through the executor's hand-off).
    private final List<PoolMember> members;
    private final List<PoolListener> listeners = new ArrayList<>();
    private BalancingStrategy strategy;
    private PoolSettings settings;
    private boolean started;
    private boolean available;
    // While a DNS answer or a new config is reconciled: one snapshot at the end, none half-way.
    private boolean reconciling;
    private ScheduledFuture<?> rampTicks;
    // Written on the control thread, read by close() from any thread, and (specs) by reconfigurations to tell new
    // hostnames from known ones.
    private volatile PoolResolver resolver;
    private volatile List<BackendSpec> specs;
    private volatile boolean closed;

    PoolControl(Pool pool, BalancingStrategy strategy, PoolSettings settings, List<BackendSpec> specs,
            List<PoolMember> initial, Resolver hostResolver, EventLoopGroup checkLoops,
            Supplier<? extends Channel> checkChannels) {
        this.pool = pool;
        this.strategy = strategy;
        this.settings = settings;
        this.specs = specs;
        this.hostResolver = hostResolver;
        this.members = new ArrayList<>(initial);
        this.thread = new ControlThread(pool.name());
        this.checks = new PoolChecks(pool.name(), settings.healthCheck(), settings.sendProxy(), checkLoops,
                checkChannels, this::execute, this::verdict);
        this.resolver = new PoolResolver(pool.name(), specs, hostResolver, settings.resolveInterval(), this);
        for (PoolMember member : members) {
            member.health = checks.initialHealth();
            member.state(stateOf(member));
            member.everUp = member.state() == MemberState.UP;
        }
        available = publish();
    }

    void start() {
        execute(() -> {
            started = true;
            checks.started();
            for (PoolMember member : members) {
                checks.start(member);
            }
            resolver.start();
        });
    }

    void close() {
        closed = true;
        checks.close();
        // A reconfiguration that swaps the resolver after this read sees closed, and closes its own.
        resolver.close();
        thread.shutdown();
    }

    boolean closed() {
        return closed;
    }

    boolean onControlThread() {
        return thread.isCurrent();
    }

    void addListener(PoolListener listener) {
        execute(() -> {
            listeners.add(listener);
            notify(l -> l.availabilityChanged(pool, available));
        });
    }

    /** A verdict of the current checker, on the control thread. */
    private void verdict(PoolMember member, MemberState verdict, String detail) {
        // A disabled member's checks are stopped; a check that was under way may still report.
        if (member.draining || member.health == verdict || member.adminState() == AdminState.DISABLED) {
            return;
        }
        member.health = verdict;
        update(member, "reason=health-check " + detail);
    }

    /** From a connect failure over the threshold, on an event loop; repeats while it stays over are ignored. */
    void connectFailures(PoolMember member, Throwable cause) {
        execute(() -> {
            if (member.state() != MemberState.UP) {
                return;
            }
            long coolDown = settings.failTimeout().toNanos();
            member.coolingUntil = System.nanoTime() + coolDown;
            thread.schedule(() -> coolDownOver(member), coolDown);
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
            // An answer for a spec a reconfiguration replaced meanwhile is for no member.
            if (specs.stream().anyMatch(s -> s == spec)) {
                reconciled(() -> {
                    reconciler.resolved(spec, addresses);
                    return null;
                });
            }
        });
    }

    /**
     * Applies a checked configuration on the control thread and waits for it; new hostnames are resolved in
     * {@code addresses} already.
     *
     * @throws IllegalStateException when the pool is closed
     */
    PoolChanges reconfigure(BalancingStrategy nextStrategy, PoolSettings next, List<BackendSpec> nextSpecs,
            Map<BackendSpec, List<InetSocketAddress>> addresses, ConnectPolicy policy) {
        return thread.call(() -> {
            List<String> changedSettings = PoolChanges.settingsDiff(strategy, settings, pool.connectPolicy(),
                    nextStrategy, next, policy);
            strategy = nextStrategy;
            settings = next;
            boolean checksChanged = checks.reconfigure(next.healthCheck(), next.sendProxy());
            pool.connectPolicy(policy);
            PoolChanges changes = reconciled(
                    () -> reconciler.reconfigure(nextSpecs, addresses, checksChanged, changedSettings));
            if (!resolver.covers(specs, next.resolveInterval())) {
                resolver.close();
                resolver = new PoolResolver(pool.name(), specs, hostResolver, next.resolveInterval(), this);
                if (started) {
                    resolver.start();
                }
            }
            if (closed) {
                close();
            }
            log.info("pool reconfigured pool={} {}", pool.name(), changes);
            return changes;
        });
    }

    /** Runs {@code work} with publishing held back, then publishes once. */
    private <T> T reconciled(Supplier<T> work) {
        reconciling = true;
        try {
            return work.get();
        } finally {
            reconciling = false;
            publish();
        }
    }

    /**
     * Sets {@code name}'s admin state on the control thread and waits for it.
     *
     * @return the member's admin state now (unchanged, with its original author and time, if it was already set)
     * @throws IllegalArgumentException when the pool has no member of that name
     */
    MemberAdmin admin(String name, AdminState to, String by) {
        return thread.call(() -> {
            PoolMember member = member(name);
            if (member.adminState() != to) {
                admin(member, to, by);
            }
            return member.admin();
        });
    }

    private void admin(PoolMember member, AdminState to, String by) {
        AdminState from = member.adminState();
        member.admin(new MemberAdmin(to, by, Instant.now()));
        if (to == AdminState.DISABLED) {
            checks.stop(member);
        } else if (from == AdminState.DISABLED && !member.draining) {
            // Unchecked for a while, its health is unknown: it starts over as a joining member does.
            member.health = checks.initialHealth();
            checks.start(member);
        }
        String why = "reason=admin admin_state=" + to.label() + " by=" + by;
        log.info("backend admin pool={} backend={} from={} to={} by={} state={} active={}", pool.name(),
                member.name(), from.label(), to.label(), by, label(member.state()), member.activeConnections());
        MemberState before = member.state();
        update(member, why);
        member.reason(why);
        if (to == AdminState.ENABLED && before == MemberState.UP && member.state() == MemberState.UP) {
            // Back from draining while up all along: it rejoins the picks, through slow start like any comeback.
            comeBack(member);
        }
        notify(l -> l.memberAdminChanged(pool, member, from, to));
        publish();
    }

    /**
     * Sets {@code name}'s weight at runtime on the control thread and waits for it; a running slow start ramps
     * towards the new one.
     *
     * @return the weight it had before
     * @throws IllegalArgumentException when the pool has no member of that name, or the weight is out of range
     */
    int weigh(String name, int weight, String by) {
        if (weight < 1 || weight > BackendSpec.MAX_WEIGHT) {
            throw new IllegalArgumentException("weight: " + weight + " (expected: 1-" + BackendSpec.MAX_WEIGHT + ")");
        }
        return thread.call(() -> {
            PoolMember member = member(name);
            int before = member.weight();
            member.runtimeWeight(weight);
            reweigh(member);
            log.info("backend weight pool={} backend={} from={} to={} by={}", pool.name(), member.name(), before,
                    weight, by);
            publish();
            return before;
        });
    }

    private PoolMember member(String name) {
        for (PoolMember member : members) {
            if (member.name().equals(name)) {
                return member;
            }
        }
        throw new IllegalArgumentException("member: " + name + " (expected one of: "
                + String.join(", ", members.stream().map(PoolMember::name).toList()) + ")");
    }

    // ---- for MemberReconciler, on the control thread ---------------------------------------------------------

    List<PoolMember> members() {
        return members;
    }

    List<BackendSpec> specs() {
        return specs;
    }

    void specs(List<BackendSpec> configured) {
        specs = configured;
    }

    PoolSettings settings() {
        return settings;
    }

    /** A new member joins with the initial health; its checks start. */
    void join(PoolMember member, int at, String why) {
        member.health = checks.initialHealth();
        member.state(stateOf(member));
        member.everUp = member.state() == MemberState.UP;
        members.add(at, member);
        member.reason(why);
        log.info("backend added pool={} backend={} host={} {} state={}", pool.name(), member.name(), member.host(),
                why, label(member.state()));
        notify(l -> l.memberAdded(pool, member));
        checks.start(member);
    }

    /** No new connections; the member leaves when its last one ends. */
    void drain(PoolMember member, String why) {
        member.draining = true;
        checks.stop(member);
        update(member, why + " active=" + member.activeConnections());
        if (member.activeConnections() == 0) {
            drained(member);
        }
    }

    /** A draining member is configured or resolved again: it starts over with the initial health. */
    void undrain(PoolMember member, String why) {
        member.draining = false;
        member.health = checks.initialHealth();
        checks.start(member);
        update(member, why);
    }

    /** Its weight changed: the new one applies now, or where a running slow start has got to. */
    void reweigh(PoolMember member) {
        member.scaledWeight(member.ramping ? rampWeight(member, System.nanoTime())
                : member.weight() * PoolMember.WEIGHT_SCALE);
    }

    /** After a health-check change: restarts a kept member's checks, or with none left, counts it healthy. */
    void recheck(PoolMember member) {
        if (checks.enabled()) {
            checks.start(member);
        } else if (member.health != MemberState.UP) {
            member.health = MemberState.UP;
            update(member, "reason=health-check-removed");
        }
    }

    // ---- state ---------------------------------------------------------------------------------------------

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
        member.reason(why);
        String ramp = "";
        if (to == MemberState.UP) {
            ramp = comeBack(member);
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

    /**
     * {@code member} may get connections again: after it has been up once, its weight ramps up over
     * {@code slow-start}.
     *
     * @return the log words for a slow start, or empty
     */
    private String comeBack(PoolMember member) {
        String ramp = "";
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
        return ramp;
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
            rampTicks = thread.scheduleAtFixedRate(this::rampTick, tick);
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
        if (reconciling) {
            return available;
        }
        PoolSnapshot next = PoolSnapshot.of(members, strategy, settings);
        pool.publish(next, List.copyOf(members));
        boolean nowAvailable = !next.isEmpty();
        if (nowAvailable != available) {
            available = nowAvailable;
            if (nowAvailable) {
                log.info("pool available pool={} up={}", pool.name(), next.primaries().size() + next.backups().size());
            } else {
                log.warn("pool unavailable pool={} members={} reason=no-member-up", pool.name(), members.size());
            }
            notify(l -> l.availabilityChanged(pool, nowAvailable));
        }
        return nowAvailable;
    }

    private void notify(Consumer<PoolListener> event) {
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
        thread.execute(task);
    }

    static String label(MemberState state) {
        return state.name().toLowerCase(Locale.ROOT);
    }
}
