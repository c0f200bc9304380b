package dev.forwarder.core;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Makes "probe, then bind every {@code SO_REUSEPORT} socket" one step per port, for the threads of this JVM and
 * for other processes: a lock per port in this JVM (two {@link FileChannel} locks on one file in one JVM throw
 * instead of waiting) and an exclusive lock on {@code ${java.io.tmpdir}/forwarder-bind-PORT.lock}.
 *
 * <p>It is held only while binding: once our sockets listen, another process's plain probe fails with "Address
 * already in use", which is the exclusion wanted. Where the file cannot be opened for writing (it belongs to
 * another user) binding goes on without it: the kernel never lets another user's socket join an
 * {@code SO_REUSEPORT} group. The file is left in place; deleting it would let a third process lock a new file
 * while a second still holds the old one.
 */
final class BindLock {

    private static final Logger log = LoggerFactory.getLogger(BindLock.class);
    private static final long POLL_MILLIS = 10;
    private static final Map<Integer, ReentrantLock> IN_JVM = new ConcurrentHashMap<>();

    private final ReentrantLock inJvm;
    /** Its exclusive lock is held while the channel is open; {@code null} when binding goes on without it. */
    private final FileChannel file;

    private BindLock(ReentrantLock inJvm, FileChannel file) {
        this.inJvm = inJvm;
        this.file = file;
    }

    /**
     * Waits up to {@code wait} for {@code port}'s lock.
     *
     * @throws IOException when another binder holds it that long, or the wait is interrupted; the message says
     *     which, e.g. {@code /tmp/forwarder-bind-8080.lock is held by another process (waited 5000 ms)}
     */
    static BindLock acquire(int port, Duration wait) throws IOException {
        long deadline = System.nanoTime() + wait.toNanos();
        ReentrantLock inJvm = IN_JVM.computeIfAbsent(port, p -> new ReentrantLock());
        try {
            if (!inJvm.tryLock(wait.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new IOException("another listener of this process is binding port " + port
                        + " (waited " + wait.toMillis() + " ms)");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting to bind port " + port, e);
        }
        try {
            Path path = Path.of(System.getProperty("java.io.tmpdir"), "forwarder-bind-" + port + ".lock");
            FileChannel file = open(path);
            if (file != null) {
                lockFile(file, path, wait, deadline);
            }
            return new BindLock(inJvm, file);
        } catch (IOException | RuntimeException e) {
            inJvm.unlock();
            throw e;
        }
    }

    private static FileChannel open(Path path) {
        try {
            return FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        } catch (AccessDeniedException e) {
            log.debug("bind lock not writable, binding without it lock={}", path);
        } catch (IOException e) {
            log.warn("cannot open bind lock, binding without it lock={} error=\"{}\"", path, e.toString());
        }
        return null;
    }

    private static void lockFile(FileChannel file, Path path, Duration wait, long deadline) throws IOException {
        try {
            while (file.tryLock() == null) {
                if (System.nanoTime() - deadline >= 0) {
                    throw new IOException(path + " is held by another process (waited " + wait.toMillis()
                            + " ms)");
                }
                Thread.sleep(POLL_MILLIS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            file.close();
            throw new IOException("interrupted while waiting for " + path, e);
        } catch (IOException | RuntimeException e) {
            file.close();
            throw e;
        }
    }

    /** Releases the file lock and then the JVM's lock. */
    void release() {
        try {
            if (file != null) {
                // Closing the channel releases its lock.
                file.close();
            }
        } catch (IOException e) {
            log.warn("cannot release bind lock error=\"{}\"", e.toString());
        } finally {
            inJvm.unlock();
        }
    }
}
