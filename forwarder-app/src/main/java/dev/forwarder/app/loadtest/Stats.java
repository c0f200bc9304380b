package dev.forwarder.app.loadtest;

import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * What the workers record, from every event loop at once: completed requests with their latency (nanoseconds,
 * in an HdrHistogram {@link Recorder}), bytes each way, and errors by kind. The reporting thread reads it.
 */
final class Stats {

    private final Recorder latency = new Recorder(3);
    private final LongAdder requests = new LongAdder();
    private final LongAdder bytesSent = new LongAdder();
    private final LongAdder bytesReceived = new LongAdder();
    private final Map<ErrorKind, LongAdder> errors = new EnumMap<>(ErrorKind.class);

    Stats() {
        for (ErrorKind kind : ErrorKind.values()) {
            errors.put(kind, new LongAdder());
        }
    }

    void request(long latencyNanos) {
        latency.recordValue(Math.max(0, latencyNanos));
        requests.increment();
    }

    void sent(long bytes) {
        bytesSent.add(bytes);
    }

    void received(long bytes) {
        bytesReceived.add(bytes);
    }

    void error(ErrorKind kind) {
        errors.get(kind).increment();
    }

    long requests() {
        return requests.sum();
    }

    long bytesSent() {
        return bytesSent.sum();
    }

    long bytesReceived() {
        return bytesReceived.sum();
    }

    /** Errors so far, only the kinds that occurred, in declaration order. */
    Map<ErrorKind, Long> errors() {
        Map<ErrorKind, Long> counts = new EnumMap<>(ErrorKind.class);
        errors.forEach((kind, adder) -> {
            long n = adder.sum();
            if (n > 0) {
                counts.put(kind, n);
            }
        });
        return counts;
    }

    long errorCount() {
        return errors.values().stream().mapToLong(LongAdder::sum).sum();
    }

    /**
     * The latencies recorded since the previous call, into {@code reuse} (which it returns, or a new histogram when
     * null). Only the reporting thread calls this.
     */
    Histogram takeInterval(Histogram reuse) {
        return latency.getIntervalHistogram(reuse);
    }

    /** Forgets everything: the end of the warm-up. A request finishing at this very moment may land either side. */
    void reset() {
        latency.reset();
        requests.reset();
        bytesSent.reset();
        bytesReceived.reset();
        errors.values().forEach(LongAdder::reset);
    }
}
