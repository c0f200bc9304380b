package dev.forwarder.balancer;

import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The one thread a pool's {@link PoolControl} runs on, one task at a time. It exists only while there is work: it
 * times out when idle, so pools without checks cost none. Once shut down, tasks are dropped, scheduled ones too.
 */
final class ControlThread {

    private final String poolName;
    private final ScheduledThreadPoolExecutor executor;
    // The executor's thread, so that a task can tell it is on it; replaced when an idle thread times out.
    private volatile Thread thread;

    ControlThread(String poolName) {
        this.poolName = poolName;
        this.executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread created = new Thread(runnable, "forwarder-pool-" + poolName);
            created.setDaemon(true);
            thread = created;
            return created;
        });
        executor.setKeepAliveTime(1, TimeUnit.SECONDS);
        executor.allowCoreThreadTimeOut(true);
        executor.setRemoveOnCancelPolicy(true);
        executor.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
        executor.setContinueExistingPeriodicTasksAfterShutdownPolicy(false);
    }

    /** Runs {@code task} soon; drops it when shut down (the pool is closed: its state no longer matters). */
    void execute(Runnable task) {
        try {
            executor.execute(task);
        } catch (RejectedExecutionException closedAlready) {
            // As said.
        }
    }

    ScheduledFuture<?> schedule(Runnable task, long delayNanos) {
        return executor.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
    }

    ScheduledFuture<?> scheduleAtFixedRate(Runnable task, long periodNanos) {
        return executor.scheduleAtFixedRate(task, periodNanos, periodNanos, TimeUnit.NANOSECONDS);
    }

    /**
     * Runs {@code task} on the thread and waits for its result. An interrupt does not cut the wait short, so the
     * caller always learns whether it ran.
     *
     * @throws IllegalStateException when shut down before the task ran, or called on the thread itself (e.g. by a
     *     pool listener), which would wait for itself
     */
    <T> T call(Supplier<T> task) {
        if (isCurrent()) {
            throw new IllegalStateException("pool " + poolName + ": called on its own control thread");
        }
        Future<T> future;
        try {
            future = executor.submit(task::get);
        } catch (RejectedExecutionException e) {
            throw closed(e);
        }
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    return future.get();
                } catch (InterruptedException e) {
                    interrupted = true;
                } catch (CancellationException e) {
                    throw closed(e);
                } catch (ExecutionException e) {
                    throw e.getCause() instanceof RuntimeException runtime ? runtime
                            : new IllegalStateException(e.getCause());
                }
            }
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Whether the caller runs on this thread. */
    boolean isCurrent() {
        return Thread.currentThread() == thread;
    }

    private IllegalStateException closed(Exception cause) {
        return new IllegalStateException("pool " + poolName + ": closed", cause);
    }

    void shutdown() {
        executor.shutdown();
    }
}
