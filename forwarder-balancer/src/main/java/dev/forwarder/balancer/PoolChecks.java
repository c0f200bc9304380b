package dev.forwarder.balancer;

import dev.forwarder.balancer.health.HealthCheckSettings;
import dev.forwarder.balancer.health.HealthChecker;
import dev.forwarder.core.proxy.ProxyProtocol;
import dev.forwarder.core.proxy.SendProxy;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;

import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * A pool's active health checks across reconfigurations: the {@link HealthChecker} of the current settings (none
 * for type {@code none}), checking members only once the pool has started. A checker that a reconfiguration
 * replaced is closed, and a verdict it still delivers is dropped. Used on the pool's control thread, but for
 * {@link #close}.
 */
final class PoolChecks {

    private final String poolName;
    private final EventLoopGroup loops;
    private final Supplier<? extends Channel> channels;
    private final Consumer<Runnable> controlThread;
    private final HealthChecker.VerdictListener onVerdict;
    // Control thread only.
    private HealthCheckSettings settings;
    private ProxyProtocol sendProxy;
    private int generation;
    private boolean started;
    // Replaced on the control thread, read by close() from any thread.
    private volatile HealthChecker checker;
    private volatile boolean closed;

    /**
     * @param controlThread runs a task on the control thread
     * @param onVerdict hears the current checker's verdicts, on the control thread
     */
    PoolChecks(String poolName, HealthCheckSettings settings, ProxyProtocol sendProxy, EventLoopGroup loops,
            Supplier<? extends Channel> channels, Consumer<Runnable> controlThread,
            HealthChecker.VerdictListener onVerdict) {
        this.poolName = poolName;
        this.loops = loops;
        this.channels = channels;
        this.controlThread = controlThread;
        this.onVerdict = onVerdict;
        use(settings, sendProxy);
    }

    private void use(HealthCheckSettings next, ProxyProtocol nextSendProxy) {
        settings = next;
        sendProxy = nextSendProxy;
        int current = ++generation;
        checker = !next.enabled() ? null : new HealthChecker(poolName, next, loops, channels,
                (member, verdict, detail) -> controlThread.accept(() -> {
                    if (current == generation) {
                        onVerdict.verdict(member, verdict, detail);
                    }
                }), SendProxy.checkHeader(nextSendProxy));
    }

    /**
     * Takes new settings (checks, and the pool's {@code send-proxy}, which they start with); the caller restarts
     * the kept members' checks ({@link #start(PoolMember)}).
     *
     * @return whether they differ from the current ones
     */
    boolean reconfigure(HealthCheckSettings next, ProxyProtocol nextSendProxy) {
        if (next.equals(settings) && nextSendProxy == sendProxy) {
            return false;
        }
        HealthChecker previous = checker;
        if (previous != null) {
            previous.close();
        }
        use(next, nextSendProxy);
        // close() may have read the old checker: then this one is the caller's to close.
        if (closed) {
            close();
        }
        return true;
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

    /**
     * Starts (or restarts) {@code member}'s checks from its current health, once the pool has started; a disabled
     * member is not checked.
     */
    void start(PoolMember member) {
        HealthChecker current = checker;
        if (current != null && started && member.adminState() != AdminState.DISABLED) {
            current.start(member, member.health);
        }
    }

    void stop(PoolMember member) {
        HealthChecker current = checker;
        if (current != null) {
            current.stop(member);
        }
    }

    /** Any thread. */
    void close() {
        closed = true;
        HealthChecker current = checker;
        if (current != null) {
            current.close();
        }
    }
}
