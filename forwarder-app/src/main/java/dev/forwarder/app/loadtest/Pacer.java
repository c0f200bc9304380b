package dev.forwarder.app.loadtest;

/**
 * When a connection's next request is meant to start. Latency is measured from that intended time, so a stall
 * that delays sending is counted against the server instead of vanishing (coordinated omission).
 */
interface Pacer {

    /** The intended start of the next request, given that the connection is free at {@code nowNanos}. */
    long next(long nowNanos);

    /** Closed model: the next request is meant to start as soon as the previous one is answered. */
    static Pacer closed() {
        return now -> now;
    }

    /**
     * Open model: requests at {@code firstNanos}, then every {@code intervalNanos}, whether or not the previous
     * one has been answered; a connection that falls behind sends its late requests at once, each keeping its
     * intended time.
     */
    static Pacer open(long firstNanos, long intervalNanos) {
        return new Scheduled(firstNanos, intervalNanos);
    }

    /** Not thread-safe: owned by one worker, on its event loop. */
    final class Scheduled implements Pacer {
        private final long first;
        private final long interval;
        private long issued;

        private Scheduled(long first, long interval) {
            if (interval <= 0) {
                throw new IllegalArgumentException("intervalNanos: " + interval + " (expected: > 0)");
            }
            this.first = first;
            this.interval = interval;
        }

        @Override
        public long next(long nowNanos) {
            return first + issued++ * interval;
        }
    }
}
