package dev.forwarder.balancer;

import dev.forwarder.core.Backend;

import java.net.InetSocketAddress;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One resolved backend of a pool, shared by all the connections to it: its live counters and its state. Its name
 * is its resolved address, {@code 10.0.0.5:80} (a hostname backend contributes one member per address, each named
 * by its address; {@link #host()} keeps the name it was configured with).
 */
public final class PoolMember implements Backend {

    /** Strategies weigh members in sixteenths of a weight unit, so that slow start can ramp a weight-1 member. */
    static final int WEIGHT_SCALE = 16;

    private final String name;
    private final InetSocketAddress address;
    // Replaced by a reconfiguration (on the control thread) that keeps the member with a new weight or limit.
    private volatile BackendSpec spec;
    private volatile int maxConnections;
    private final AtomicInteger active = new AtomicInteger();
    private final AtomicReference<FailureWindow> failures = new AtomicReference<>();
    private final AtomicLong checkFailures = new AtomicLong();
    private final AtomicLong checkPasses = new AtomicLong();
    private volatile MemberState state = MemberState.UP;
    private volatile int scaledWeight;
    // Set on the control thread; each an immutable value (or int) read whole by the admin API and metrics.
    private volatile MemberAdmin admin = new MemberAdmin(AdminState.ENABLED, MemberAdmin.CONFIG, Instant.now());
    private volatile int runtimeWeight;
    private volatile String reason = "initial";
    // Written by the member's checker, on an event loop.
    private volatile LastCheck lastCheck;

    // Inputs to the state, read and written only on the pool's control thread (see PoolControl).
    MemberState health = MemberState.UP;
    long coolingUntil;
    boolean draining;
    boolean everUp;
    long rampStart;
    boolean ramping;

    PoolMember(BackendSpec spec, InetSocketAddress address) {
        this(spec, address, 0);
    }

    /**
     * @param poolMaxConnections the pool's limit, used unless the spec has its own
     */
    PoolMember(BackendSpec spec, InetSocketAddress address, int poolMaxConnections) {
        this.name = address.getAddress() == null ? spec.authority()
                : BackendSpec.authority(address.getAddress().getHostAddress(), address.getPort());
        this.address = address;
        this.spec = spec;
        this.maxConnections = limitOf(spec, poolMaxConnections);
        this.scaledWeight = spec.weight() * WEIGHT_SCALE;
    }

    private static int limitOf(BackendSpec spec, int poolMaxConnections) {
        return spec.maxConnections() == BackendSpec.POOL_DEFAULT ? poolMaxConnections : spec.maxConnections();
    }

    /**
     * Takes a new spec for its address (weight, backup flag, own limit) and the pool's limit. On the control
     * thread; the scaled weight is the caller's to set.
     *
     * @return what changed, e.g. {@code weight=1->3,backup=false->true}; empty for nothing
     */
    String respec(BackendSpec next, int poolMaxConnections) {
        BackendSpec previous = spec;
        int limit = limitOf(next, poolMaxConnections);
        StringBuilder changes = new StringBuilder();
        if (previous.weight() != next.weight()) {
            changes.append(",weight=").append(previous.weight()).append("->").append(next.weight());
            // The file changed this member's weight: the operator's edit wins over a weight set at runtime.
            runtimeWeight = 0;
        }
        if (previous.backup() != next.backup()) {
            changes.append(",backup=").append(previous.backup()).append("->").append(next.backup());
        }
        if (limit != maxConnections) {
            changes.append(",max-connections=").append(maxConnections).append("->").append(limit);
        }
        spec = next;
        maxConnections = limit;
        return changes.isEmpty() ? "" : changes.substring(1);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public InetSocketAddress address() {
        return address;
    }

    /** The host as configured: a hostname, or the IP literal itself. */
    public String host() {
        return spec.host();
    }

    public BackendSpec spec() {
        return spec;
    }

    /** The weight in force: one set at runtime ({@link Pool#setWeight}), or else the configured one. */
    public int weight() {
        int runtime = runtimeWeight;
        return runtime > 0 ? runtime : spec.weight();
    }

    /** The weight the config gives it. */
    public int configuredWeight() {
        return spec.weight();
    }

    /** The weight set at runtime, or 0 for none (the configured one applies). */
    public int runtimeWeight() {
        return runtimeWeight;
    }

    void runtimeWeight(int weight) {
        runtimeWeight = weight;
    }

    /** What an operator set on it (draining, disabled), by whom and when; {@code enabled by config} at first. */
    public MemberAdmin admin() {
        return admin;
    }

    /** {@link #admin()}'s state, for a metric or a quick look. */
    public AdminState adminState() {
        return admin.state();
    }

    void admin(MemberAdmin set) {
        admin = set;
    }

    /** Whether new connections may be picked for it: up and enabled. */
    boolean pickable() {
        return state == MemberState.UP && admin.state() == AdminState.ENABLED;
    }

    /**
     * Why it is in its state, or its admin state when that was set later: the last transition's cause in
     * key=value words, e.g. {@code health-check check=tcp error="Connection refused" fall=3} or
     * {@code admin state=draining by=admin-api}.
     */
    public String reason() {
        return reason;
    }

    void reason(String why) {
        reason = why.startsWith("reason=") ? why.substring("reason=".length()) : why;
    }

    /** How its last active health check went; {@code null} before the first (or without checks). */
    public LastCheck lastCheck() {
        return lastCheck;
    }

    /** Records a finished health check; called by the checker. */
    public void checked(boolean passed, String detail) {
        lastCheck = new LastCheck(passed, detail, Instant.now());
    }

    /** The weight strategies use now: {@link #weight()}, or less while slow start ramps it up. */
    public double effectiveWeight() {
        return scaledWeight / (double) WEIGHT_SCALE;
    }

    /** {@link #effectiveWeight()} in sixteenths: what strategies compare. */
    int scaledWeight() {
        return scaledWeight;
    }

    void scaledWeight(int sixteenths) {
        scaledWeight = sixteenths;
    }

    public boolean backup() {
        return spec.backup();
    }

    public MemberState state() {
        return state;
    }

    void state(MemberState newState) {
        state = newState;
    }

    /** Connections at once, 0 for no limit. */
    public int maxConnections() {
        return maxConnections;
    }

    /** Connections picked for this member and not yet ended. */
    public int activeConnections() {
        return active.get();
    }

    /** Failed active health checks so far. */
    public long healthCheckFailures() {
        return checkFailures.get();
    }

    /** Passed active health checks so far. */
    public long healthCheckPasses() {
        return checkPasses.get();
    }

    /** Counts a passed health check; called by the checker. */
    public void countCheckPass() {
        checkPasses.incrementAndGet();
    }

    /** Counts a failed health check; called by the checker. */
    public void countCheckFailure() {
        checkFailures.incrementAndGet();
    }

    /** Takes a connection slot, unless the member is at its limit. */
    boolean tryAcquire() {
        int max = maxConnections;
        if (max == 0) {
            active.incrementAndGet();
            return true;
        }
        for (int current = active.get(); current < max; current = active.get()) {
            if (active.compareAndSet(current, current + 1)) {
                return true;
            }
        }
        return false;
    }

    /** Whether it has no more connections than its limit allows (one may have been handed on at the limit). */
    boolean withinLimit() {
        int max = maxConnections;
        return max == 0 || active.get() <= max;
    }

    void acquired() {
        active.incrementAndGet();
    }

    void releasedOne() {
        active.decrementAndGet();
    }

    /**
     * Counts a connect failure: the first one opens a window of {@code windowNanos}, later ones within it add to it.
     *
     * @return the failures in the current window, this one included
     */
    int recordFailure(long now, long windowNanos) {
        while (true) {
            FailureWindow current = failures.get();
            FailureWindow next = current == null || now - current.since > windowNanos
                    ? new FailureWindow(1, now) : new FailureWindow(current.count + 1, current.since);
            if (failures.compareAndSet(current, next)) {
                return next.count;
            }
        }
    }

    /** A connect succeeded: the count starts again. Writes only when there is something to reset. */
    void recordSuccess() {
        if (failures.get() != null) {
            failures.set(null);
        }
    }

    /** After a cool-down: one more failure within {@code now + window} takes the member out again (as nginx). */
    void onProbation(int count, long now) {
        failures.set(count <= 0 ? null : new FailureWindow(count, now));
    }

    @Override
    public String toString() {
        return name;
    }

    private record FailureWindow(int count, long since) {
    }
}
