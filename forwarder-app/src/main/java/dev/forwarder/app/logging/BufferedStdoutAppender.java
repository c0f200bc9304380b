package dev.forwarder.app.logging;

import ch.qos.logback.core.OutputStreamAppender;

import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Writes events to standard output through a buffer that a background thread flushes every
 * {@code flushIntervalMillis} (default 1000), and at stop: nginx's {@code access_log ... buffer= flush=}. The
 * event loops that log a line per connection then pay for formatting and a memory copy, not for a
 * {@code write(2)} per line under the console's lock (that cost 6% of new-connection-per-request throughput here;
 * a queue to a logging thread, Logback's {@code AsyncAppender}, cost 22% on two cores through the wake-ups).
 * A line shows up at most one interval late; a process killed hard loses at most that interval of lines.
 */
public final class BufferedStdoutAppender<E> extends OutputStreamAppender<E> {

    private int bufferSize = 64 * 1024;
    private long flushIntervalMillis = 1000;
    private OutputStream target = new FileOutputStream(FileDescriptor.out);
    private ScheduledExecutorService flusher;

    public void setBufferSize(int bytes) {
        this.bufferSize = bytes;
    }

    public void setFlushIntervalMillis(long millis) {
        this.flushIntervalMillis = millis;
    }

    /** For tests: where the buffer drains to instead of standard output. */
    void setTarget(OutputStream target) {
        this.target = target;
    }

    @Override
    public void start() {
        if (bufferSize <= 0 || flushIntervalMillis <= 0) {
            addError("bufferSize and flushIntervalMillis must be > 0");
            return;
        }
        setImmediateFlush(false);
        setOutputStream(new BufferedOutputStream(target, bufferSize));
        super.start();
        flusher = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "log-flusher");
            thread.setDaemon(true);
            return thread;
        });
        flusher.scheduleWithFixedDelay(this::flush, flushIntervalMillis, flushIntervalMillis, TimeUnit.MILLISECONDS);
    }

    /** Writes out what the buffer holds. */
    public void flush() {
        streamWriteLock.lock();
        try {
            OutputStream out = getOutputStream();
            if (out != null) {
                out.flush();
            }
        } catch (IOException e) {
            addError("cannot flush log lines to standard output", e);
        } finally {
            streamWriteLock.unlock();
        }
    }

    @Override
    public void stop() {
        if (flusher != null) {
            flusher.shutdownNow();
            flusher = null;
        }
        flush();
        super.stop();
    }

    /** Flushes but never closes: the stream underneath is the process's standard output. */
    @Override
    protected void closeOutputStream() {
        flush();
    }
}
