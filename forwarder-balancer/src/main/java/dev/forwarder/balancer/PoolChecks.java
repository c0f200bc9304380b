package dev.forwarder.balancer;

import dev.forwarder.balancer.health.HealthCheckSettings;
import dev.forwarder.balancer.health.HealthChecker;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;

import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A pool's active health checks: the {@link HealthChecker} of its settings (none for type {@code none}), checking
 * members only once the pool has started, its verdicts delivered on the control thread. Used on that thread, but for
 * {@link #close}.
 */
final class PoolChecks {

    private final HealthCheckSettings settings;
    private final HealthChecker checker;
    // Control thread only.
    private boolean started;

    /**
     * @param controlThread runs a task on the control thread
     * @param onVerdict hears the verdicts, on the control thread
     */
    PoolChecks(String poolName, HealthCheckSettings settings, EventLoopGroup loops,
            Supplier<? extends Channel> channels, Consumer<Runnable> controlThread,
            HealthChecker.VerdictListener onVerdict) {
        this.settings = settings;
        this.checker = !settings.enabled() ? null : new HealthChecker(poolName, settings, loops, channels,
                (member, verdict, detail) -> controlThread.accept(() -> onVerdict.verdict(member, verdict, detail)));
    }

    boolean enabled() {
        return checker != null;
    }

    /** Where a member that joins starts: the check's {@code initial-state}, or up without checks. */
    MemberState initialHealth() {
        return checker == null ? MemberState.UP : settings.initialState();
    }

    /** The pool started: members are checked from now on. */
    void started() {
        started = true;
    }

    /** Starts (or restarts) {@code member}'s checks from its current health, once the pool has started. */
    void start(PoolMember member) {
        if (checker != null && started) {
            checker.start(member, member.health);
        }
    }

    void stop(PoolMember member) {
        if (checker != null) {
            checker.stop(member);
        }
    }

    /** Any thread. */
    void close() {
        if (checker != null) {
            checker.close();
        }
    }
}
