package dev.forwarder.balancer;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * The one thread a pool's {@link PoolControl} runs on, one task at a time. It exists only while there is work: it
 * times out when idle, so pools without checks cost none. Once shut down, tasks are dropped, scheduled ones too.
 */
final class ControlThread {

    private final ScheduledThreadPoolExecutor executor;

    ControlThread(String poolName) {
        this.executor = new ScheduledThreadPoolExecutor(1, runnable -> {
            Thread created = new Thread(runnable, "forwarder-pool-" + poolName);
            created.setDaemon(true);
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

    void shutdown() {
        executor.shutdown();
    }
}
