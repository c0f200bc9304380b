package dev.forwarder.core.relay;

import java.lang.management.ManagementFactory;
import java.lang.management.OperatingSystemMXBean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * How many splice pipes (two file descriptors each) one relay server may hold at once, so splicing never takes
 * the descriptors that new connections need (HAProxy's {@code maxpipes} plays the same part). A direction that
 * finds the budget spent keeps copying and asks again at its next bulk read. Taken once per spliced direction,
 * never per read.
 */
public final class PipeBudget {

    /** With no descriptor limit to go by. */
    static final int FALLBACK_PIPES = 1024;

    private final AtomicInteger available;
    private final int max;

    private PipeBudget(int max) {
        this.max = max;
        this.available = new AtomicInteger(max);
    }

    /** At most {@code max} pipes at once; 0 turns splicing off. */
    public static PipeBudget of(int max) {
        if (max < 0) {
            throw new IllegalArgumentException("max: " + max + " (expected: >= 0)");
        }
        return new PipeBudget(max);
    }

    /**
     * A quarter of the process's file-descriptor limit (an eighth of it in pipes), so that with every pipe
     * taken three quarters remain for sockets; 1024 pipes where the limit cannot be read.
     */
    public static PipeBudget ofDescriptorLimit() {
        OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            long limit = unix.getMaxFileDescriptorCount();
            if (limit > 0) {
                return of((int) Math.min(Integer.MAX_VALUE, Math.max(1, limit / 8)));
            }
        }
        return of(FALLBACK_PIPES);
    }

    /** The most pipes held at once. */
    public int max() {
        return max;
    }

    /** Pipes that may still be taken. */
    public int available() {
        return available.get();
    }

    boolean tryTake() {
        for (int now = available.get(); now > 0; now = available.get()) {
            if (available.compareAndSet(now, now - 1)) {
                return true;
            }
        }
        return false;
    }

    void giveBack() {
        available.incrementAndGet();
    }
}
