package dev.forwarder.app.metrics;

import com.codahale.metrics.Timer;

/**
 * A Dropwizard {@link Timer} over a {@link BucketReservoir}: Dropwizard readers see a timer (count, rates,
 * quantiles), {@link PrometheusMetrics} exports its buckets as a histogram in seconds.
 */
final class BucketTimer extends Timer {

    /** Session lengths, accept to close: from a quick request to a connection held for an hour. */
    static final double[] SESSION_SECONDS = {0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600};
    /** Connect times to a backend: loopback and LAN below a millisecond, timeouts at seconds. */
    static final double[] CONNECT_SECONDS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
        0.25, 0.5, 1, 2.5, 5, 10};

    private final BucketReservoir buckets;

    BucketTimer(double... boundsSeconds) {
        this(new BucketReservoir(boundsSeconds));
    }

    private BucketTimer(BucketReservoir buckets) {
        super(buckets);
        this.buckets = buckets;
    }

    BucketReservoir buckets() {
        return buckets;
    }
}
