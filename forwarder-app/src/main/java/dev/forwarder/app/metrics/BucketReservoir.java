package dev.forwarder.app.metrics;

import com.codahale.metrics.Reservoir;
import com.codahale.metrics.Snapshot;

import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAccumulator;
import java.util.concurrent.atomic.LongAdder;

/**
 * A reservoir of fixed buckets, like a Prometheus histogram: a count per bucket, the sum, the least and the
 * greatest value. {@link #update} takes no lock and allocates nothing (a {@link LongAdder} grows its cells once,
 * under contention), and unlike a sampling reservoir it forgets nothing, so {@link PrometheusMetrics} exports its
 * buckets as they are. Dropwizard readers (JMX) get quantiles interpolated within a bucket, exact minimum and
 * maximum, and no sampled values.
 */
final class BucketReservoir implements Reservoir {

    private final long[] bounds;
    private final double[] boundsSeconds;
    // One more than bounds: the last counts what exceeds every bound (le="+Inf").
    private final LongAdder[] counts;
    private final LongAdder sum = new LongAdder();
    private final LongAccumulator min = new LongAccumulator(Math::min, Long.MAX_VALUE);
    private final LongAccumulator max = new LongAccumulator(Math::max, Long.MIN_VALUE);

    /** @param boundsSeconds the buckets' upper bounds (inclusive) in seconds, ascending; values are nanoseconds */
    BucketReservoir(double... boundsSeconds) {
        this.boundsSeconds = boundsSeconds.clone();
        this.bounds = new long[boundsSeconds.length];
        for (int i = 0; i < bounds.length; i++) {
            bounds[i] = Math.round(boundsSeconds[i] * TimeUnit.SECONDS.toNanos(1));
            if (i > 0 && bounds[i] <= bounds[i - 1]) {
                throw new IllegalArgumentException("boundsSeconds: " + boundsSeconds[i] + " (expected: ascending)");
            }
        }
        this.counts = new LongAdder[bounds.length + 1];
        for (int i = 0; i < counts.length; i++) {
            counts[i] = new LongAdder();
        }
    }

    @Override
    public void update(long nanos) {
        int i = 0;
        while (i < bounds.length && nanos > bounds[i]) {
            i++;
        }
        counts[i].increment();
        sum.add(nanos);
        min.accumulate(nanos);
        max.accumulate(nanos);
    }

    /** The upper bounds in seconds, without the last ({@code +Inf}) bucket. */
    double[] boundsSeconds() {
        return boundsSeconds.clone();
    }

    /** The count of each bucket (not cumulative), the {@code +Inf} one last. */
    long[] counts() {
        long[] now = new long[counts.length];
        for (int i = 0; i < now.length; i++) {
            now[i] = counts[i].sum();
        }
        return now;
    }

    /** The sum of all values, in nanoseconds. */
    long sumNanos() {
        return sum.sum();
    }

    @Override
    public int size() {
        long total = 0;
        for (LongAdder count : counts) {
            total += count.sum();
        }
        return (int) Math.min(Integer.MAX_VALUE, total);
    }

    @Override
    public Snapshot getSnapshot() {
        return new BucketSnapshot(counts(), sum.sum(), min.get(), max.get());
    }

    /** Quantiles from the buckets: linear within the bucket a rank falls in, clamped to the exact min and max. */
    private final class BucketSnapshot extends Snapshot {

        private final long[] counts;
        private final long total;
        private final long sumNanos;
        private final long least;
        private final long greatest;

        BucketSnapshot(long[] counts, long sumNanos, long least, long greatest) {
            this.counts = counts;
            long all = 0;
            for (long count : counts) {
                all += count;
            }
            this.total = all;
            this.sumNanos = sumNanos;
            this.least = all == 0 ? 0 : least;
            this.greatest = all == 0 ? 0 : greatest;
        }

        @Override
        public double getValue(double quantile) {
            if (quantile < 0 || quantile > 1 || Double.isNaN(quantile)) {
                throw new IllegalArgumentException("quantile: " + quantile + " (expected: 0.0-1.0)");
            }
            if (total == 0) {
                return 0;
            }
            double rank = quantile * total;
            long below = 0;
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] > 0 && below + counts[i] >= rank) {
                    double low = Math.max(least, i == 0 ? 0 : bounds[i - 1]);
                    double high = Math.min(greatest, i < bounds.length ? bounds[i] : greatest);
                    double within = (rank - below) / counts[i];
                    return Math.max(least, Math.min(greatest, low + (high - low) * within));
                }
                below += counts[i];
            }
            return greatest;
        }

        @Override
        public long[] getValues() {
            // Values are not kept, only counted.
            return new long[0];
        }

        @Override
        public int size() {
            return (int) Math.min(Integer.MAX_VALUE, total);
        }

        @Override
        public long getMax() {
            return greatest;
        }

        @Override
        public double getMean() {
            return total == 0 ? 0 : (double) sumNanos / total;
        }

        @Override
        public long getMin() {
            return least;
        }

        @Override
        public double getStdDev() {
            // From the buckets' midpoints: an estimate, as are the quantiles.
            if (total < 2) {
                return 0;
            }
            double mean = getMean();
            double squares = 0;
            for (int i = 0; i < counts.length; i++) {
                if (counts[i] > 0) {
                    double low = Math.max(least, i == 0 ? 0 : bounds[i - 1]);
                    double high = Math.min(greatest, i < bounds.length ? bounds[i] : greatest);
                    double mid = (low + high) / 2 - mean;
                    squares += counts[i] * mid * mid;
                }
            }
            return Math.sqrt(squares / (total - 1));
        }

        @Override
        public void dump(OutputStream output) {
            PrintWriter out = new PrintWriter(new java.io.OutputStreamWriter(output, StandardCharsets.UTF_8));
            for (int i = 0; i < counts.length; i++) {
                out.printf("le=%s %d%n", i < boundsSeconds.length ? boundsSeconds[i] : "+Inf", counts[i]);
            }
            out.flush();
        }
    }
}
