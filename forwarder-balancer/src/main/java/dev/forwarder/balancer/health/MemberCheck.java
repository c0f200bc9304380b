package dev.forwarder.balancer.health;

import dev.forwarder.balancer.MemberState;
import dev.forwarder.balancer.PoolMember;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The checks of one member, all on one event loop. Checks start {@code interval} (stretched by up to
 * {@code jitter}) apart, measured start to start, so that a backend that stops answering is marked down within
 * about {@code fall x interval + timeout}; a check that outlasts the interval delays the next one instead of
 * overlapping it.
 */
final class MemberCheck {

    private static final Logger log = LoggerFactory.getLogger(HealthChecker.class);

    private final String poolName;
    private final PoolMember member;
    private final HealthCheckSettings settings;
    private final EventLoop loop;
    private final Supplier<? extends Channel> channels;
    private final HealthChecker.VerdictListener listener;
    // Touched only on the loop.
    private MemberState verdict;
    private int passes;
    private int failures;
    private ScheduledFuture<?> next;
    private Probe probe;
    private final byte[] preamble;
    // Written by whoever stops the check, read on the loop.
    private volatile boolean stopped;

    MemberCheck(String poolName, PoolMember member, MemberState verdict, HealthCheckSettings settings,
            EventLoop loop, Supplier<? extends Channel> channels, HealthChecker.VerdictListener listener,
            byte[] preamble) {
        this.preamble = preamble;
        this.poolName = poolName;
        this.member = member;
        this.verdict = verdict;
        this.settings = settings;
        this.loop = loop;
        this.channels = channels;
        this.listener = listener;
    }

    void start() {
        execute(this::check);
    }

    void stop() {
        stopped = true;
        execute(() -> {
            if (next != null) {
                next.cancel(false);
            }
            if (probe != null) {
                probe.abandon();
            }
        });
    }

    private void check() {
        if (stopped) {
            return;
        }
        long started = System.nanoTime();
        probe = Probe.start(loop, channels, member, settings, preamble, result -> finished(result, started));
    }

    private void finished(CheckResult result, long started) {
        probe = null;
        if (stopped) {
            return;
        }
        member.checked(result.passed(), result.detail());
        if (result.passed()) {
            member.countCheckPass();
            failures = 0;
            passes++;
            if (verdict == MemberState.DOWN && passes >= settings.rise()) {
                verdict = MemberState.UP;
                listener.verdict(member, verdict, result.detail() + " rise=" + settings.rise());
            }
        } else {
            member.countCheckFailure();
            passes = 0;
            failures++;
            log.debug("health check failed pool={} backend={} {} failures={}", poolName, member.name(),
                    result.detail(), failures);
            if (verdict == MemberState.UP && failures >= settings.fall()) {
                verdict = MemberState.DOWN;
                listener.verdict(member, verdict, result.detail() + " fall=" + settings.fall());
            }
        }
        long interval = settings.interval().toNanos();
        long jitter = settings.jitterPercent() == 0 ? 0
                : ThreadLocalRandom.current().nextLong(interval * settings.jitterPercent() / 100 + 1);
        long delay = Math.max(0, interval + jitter - (System.nanoTime() - started));
        try {
            next = loop.schedule(this::check, delay, TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException shuttingDown) {
            // The relay's event loops are stopping: so are the checks.
        }
    }

    private void execute(Runnable task) {
        try {
            loop.execute(task);
        } catch (RejectedExecutionException shuttingDown) {
            // As above.
        }
    }
}
