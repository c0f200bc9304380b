package dev.forwarder.app.metrics;

import com.codahale.metrics.Snapshot;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class BucketReservoirTest {

    private static long millis(long ms) {
        return TimeUnit.MILLISECONDS.toNanos(ms);
    }

    @Test
    void countsEachValueInTheFirstBucketItFitsWithBoundsInclusive() {
        BucketReservoir buckets = new BucketReservoir(0.01, 0.1, 1);

        buckets.update(millis(10));
        buckets.update(millis(11));
        buckets.update(millis(100));
        buckets.update(millis(5000));

        assertThat(buckets.counts()).containsExactly(1, 2, 0, 1);
        assertThat(buckets.sumNanos()).isEqualTo(millis(5121));
        assertThat(buckets.size()).isEqualTo(4);
    }

    @Test
    void snapshotKeepsExactExtremesAndInterpolatesQuantilesWithinABucket() {
        BucketReservoir buckets = new BucketReservoir(0.1, 1);
        for (int i = 0; i < 10; i++) {
            buckets.update(millis(200 + i * 10));
        }

        Snapshot snapshot = buckets.getSnapshot();

        assertThat(snapshot.getMin()).isEqualTo(millis(200));
        assertThat(snapshot.getMax()).isEqualTo(millis(290));
        assertThat(snapshot.getMean()).isCloseTo(millis(245), within(1.0));
        assertThat(snapshot.getMedian()).isBetween((double) millis(200), (double) millis(290));
        assertThat(snapshot.getValue(1.0)).isEqualTo(millis(290));
        assertThat(new BucketReservoir(1).getSnapshot().getMedian()).isZero();
    }
}
