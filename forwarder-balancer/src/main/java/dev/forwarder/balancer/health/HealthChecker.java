package dev.forwarder.balancer.health;

import dev.forwarder.balancer.MemberState;
import dev.forwarder.balancer.PoolMember;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;

import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Runs one pool's active health checks on the relay's event loops: each member gets a loop of its own and is
 * probed there every interval (plus jitter), with Netty channels of the relay's transport. No thread per backend,
 * and a check never blocks its loop. Verdicts (a member passed {@code rise} checks in a row, or failed
 * {@code fall}) go to a {@link VerdictListener}; the pool decides what they mean.
 */
public final class HealthChecker implements AutoCloseable {

    /** Hears a member's verdict change; called on the member's event loop. */
    @FunctionalInterface
    public interface VerdictListener {
        /**
         * @param verdict {@link MemberState#UP} or {@link MemberState#DOWN}
         * @param detail key=value words for the log, e.g. {@code check=http status=503 fall=3}
         */
        void verdict(PoolMember member, MemberState verdict, String detail);
    }

    private final String poolName;
    private final HealthCheckSettings settings;
    private final EventLoopGroup loops;
    private final Supplier<? extends Channel> channels;
    private final VerdictListener listener;
    private final byte[] preamble;
    private final Map<PoolMember, MemberCheck> checks = new ConcurrentHashMap<>();
    private volatile boolean closed;

    public HealthChecker(String poolName, HealthCheckSettings settings, EventLoopGroup loops,
            Supplier<? extends Channel> channels, VerdictListener listener) {
        this(poolName, settings, loops, channels, listener, null);
    }

    /**
     * As the other constructor, with {@code preamble} (or {@code null}) sent first on every check connection of a
     * {@code send-expect} or {@code http} check: the pool's PROXY header for checks ({@code send-proxy}), which a
     * backend that requires one needs before anything else.
     */
    public HealthChecker(String poolName, HealthCheckSettings settings, EventLoopGroup loops,
            Supplier<? extends Channel> channels, VerdictListener listener, byte[] preamble) {
        this.preamble = preamble == null ? null : preamble.clone();
        this.poolName = Objects.requireNonNull(poolName, "poolName");
        this.settings = Objects.requireNonNull(settings, "settings");
        this.loops = Objects.requireNonNull(loops, "loops");
        this.channels = Objects.requireNonNull(channels, "channels");
        this.listener = Objects.requireNonNull(listener, "listener");
        if (!settings.enabled()) {
            throw new IllegalArgumentException("settings: type none (expected: tcp, send-expect or http)");
        }
    }

    /**
     * Starts checking {@code member}; its first check runs at once. Thread-safe; a member already checked is
     * restarted.
     *
     * @param verdict where it stands now: {@code rise} passes bring a DOWN member up, {@code fall} failures an UP
     *     one down
     */
    public void start(PoolMember member, MemberState verdict) {
        if (closed) {
            return;
        }
        MemberCheck check = new MemberCheck(poolName, member, verdict, settings, loops.next(), channels, listener,
                preamble);
        MemberCheck previous = checks.put(member, check);
        if (previous != null) {
            previous.stop();
        }
        check.start();
    }

    /** Stops checking {@code member}; a check under way finishes without a verdict. Thread-safe. */
    public void stop(PoolMember member) {
        MemberCheck check = checks.remove(member);
        if (check != null) {
            check.stop();
        }
    }

    /** Stops every check. */
    @Override
    public void close() {
        closed = true;
        for (PoolMember member : Map.copyOf(checks).keySet()) {
            stop(member);
        }
    }
}
