package dev.forwarder.core.relay;

import dev.forwarder.core.CloseReason;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * A connection's idle timeout, without Netty's {@code IdleStateHandler} (which allocates a promise and a listener
 * per write): the connection notes the time once per read batch, and one timer checks when the timeout could next
 * run out. Bytes queued towards a slow reader that still takes them count as activity. On the event loop only.
 */
final class IdleTimer {

    private final RelayConnection connection;
    private final long idleNanos;
    private long lastActivityNanos;
    private long pendingAtCheck;
    private ScheduledFuture<?> timer;

    IdleTimer(RelayConnection connection, long idleNanos, long startNanos) {
        this.connection = connection;
        this.idleNanos = idleNanos;
        this.lastActivityNanos = startNanos;
        this.timer = connection.eventLoop().schedule(this::check, idleNanos, TimeUnit.NANOSECONDS);
    }

    /** Bytes came in from either side. */
    void touched() {
        lastActivityNanos = System.nanoTime();
    }

    private void check() {
        timer = null;
        if (!connection.mayIdle()) {
            return;
        }
        long now = System.nanoTime();
        long pending = connection.pendingWriteBytes();
        if (pending != pendingAtCheck) {
            pendingAtCheck = pending;
            lastActivityNanos = now;
        }
        long idleFor = now - lastActivityNanos;
        if (idleFor >= idleNanos) {
            connection.close(CloseReason.IDLE_TIMEOUT);
            return;
        }
        timer = connection.eventLoop().schedule(this::check, idleNanos - idleFor, TimeUnit.NANOSECONDS);
    }

    void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }
}
