package dev.forwarder.app.metrics;

import com.codahale.metrics.Counting;
import com.codahale.metrics.Gauge;
import com.codahale.metrics.Metric;
import com.codahale.metrics.MetricRegistry;
import dev.forwarder.app.metrics.MetricNames.Parsed;
import dev.forwarder.app.metrics.PrometheusFamily.Series;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.MultiCollector;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot.GaugeDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot.HistogramDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import io.prometheus.metrics.model.snapshots.Unit;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * forwarder's metrics in the Prometheus text exposition format, with labels: the Dropwizard registry stays the
 * registry, and each scrape reads it afresh and writes one family per kind of metric, e.g.
 * {@code forwarder_backend_active_connections{pool="web",backend="10.0.0.11:8080"}}, instead of a name per listener
 * or address. Which Dropwizard metric feeds which family is in {@link PrometheusFamily}; names are read back into
 * labels by {@link MetricNames#parse}; anything else in the registry is left out.
 *
 * <p>A small collector over the Prometheus Java client's data model ({@code prometheus-metrics-model}) and its
 * text writer, rather than the client's Dropwizard bridge: backend names hold dots and colons, which the bridge's
 * dot-separated name patterns cannot take apart, and the bridge turns every timer into a summary, while a
 * Prometheus histogram (aggregatable, {@code histogram_quantile}) needs the fixed buckets {@link BucketTimer}
 * keeps. Thread-safe; a scrape takes no lock the relay takes.
 */
public final class PrometheusMetrics implements MultiCollector {

    private static final PrometheusTextFormatWriter WRITER = PrometheusTextFormatWriter.create();

    private final MetricRegistry registry;

    public PrometheusMetrics(MetricRegistry registry) {
        this.registry = registry;
    }

    /** The {@code Content-Type} of what {@link #writeTo} writes: {@code text/plain; version=0.0.4; ...}. */
    public String contentType() {
        return WRITER.getContentType();
    }

    /** Writes every family, with {@code # HELP} and {@code # TYPE} lines, to {@code out}; does not close it. */
    public void writeTo(OutputStream out) throws IOException {
        WRITER.write(out, collect());
    }

    @Override
    public MetricSnapshots collect() {
        Map<PrometheusFamily, List<Sample>> families = new EnumMap<>(PrometheusFamily.class);
        for (Map.Entry<String, Metric> entry : registry.getMetrics().entrySet()) {
            Parsed parsed = MetricNames.parse(entry.getKey());
            Series series = parsed == null ? null : PrometheusFamily.of(parsed);
            if (series == null || series.family() == null) {
                continue;
            }
            families.computeIfAbsent(series.family(), family -> new ArrayList<>())
                    .add(new Sample(labels(parsed, series), entry.getValue()));
        }
        List<MetricSnapshot> snapshots = new ArrayList<>(families.size());
        for (Map.Entry<PrometheusFamily, List<Sample>> family : families.entrySet()) {
            MetricSnapshot snapshot = snapshot(family.getKey(), family.getValue());
            if (snapshot != null) {
                snapshots.add(snapshot);
            }
        }
        return new MetricSnapshots(snapshots);
    }

    private record Sample(Labels labels, Metric metric) {
    }

    private static Labels labels(Parsed parsed, Series series) {
        Labels owner = switch (parsed.scope()) {
            case LISTENER -> Labels.of("listener", parsed.owner());
            case POOL -> Labels.of("pool", parsed.owner());
            case BACKEND -> Labels.of("pool", parsed.owner(), "backend", parsed.backend());
        };
        return series.label() == null ? owner : owner.add(series.label(), series.value());
    }

    private static MetricSnapshot snapshot(PrometheusFamily family, List<Sample> samples) {
        Unit unit = family.name.endsWith("_seconds") ? Unit.SECONDS
                : family.name.endsWith("_bytes") ? Unit.BYTES : null;
        switch (family.kind) {
            case COUNTER -> {
                CounterSnapshot.Builder counter = CounterSnapshot.builder().name(family.name).help(family.help);
                for (Sample sample : samples) {
                    double value = number(sample.metric());
                    if (!Double.isNaN(value)) {
                        counter.dataPoint(CounterDataPointSnapshot.builder().labels(sample.labels()).value(value)
                                .build());
                    }
                }
                return unit == null ? counter.build() : counter.unit(unit).build();
            }
            case GAUGE, STATE -> {
                GaugeSnapshot.Builder gauge = GaugeSnapshot.builder().name(family.name).help(family.help);
                for (Sample sample : samples) {
                    if (family.kind == PrometheusFamily.Kind.STATE) {
                        Object state = sample.metric() instanceof Gauge<?> g ? g.getValue() : null;
                        for (String label : family.states) {
                            gauge.dataPoint(GaugeDataPointSnapshot.builder()
                                    .labels(sample.labels().add("state", label))
                                    .value(label.equals(state) ? 1 : 0).build());
                        }
                        continue;
                    }
                    double value = number(sample.metric());
                    if (!Double.isNaN(value)) {
                        gauge.dataPoint(GaugeDataPointSnapshot.builder().labels(sample.labels()).value(value).build());
                    }
                }
                return gauge.build();
            }
            case HISTOGRAM -> {
                HistogramSnapshot.Builder histogram = HistogramSnapshot.builder().name(family.name).help(family.help)
                        .unit(Unit.SECONDS);
                for (Sample sample : samples) {
                    if (sample.metric() instanceof BucketTimer timer) {
                        histogram.dataPoint(histogram(sample.labels(), timer.buckets()));
                    }
                }
                return histogram.build();
            }
            default -> throw new IllegalStateException("kind: " + family.kind);
        }
    }

    private static HistogramDataPointSnapshot histogram(Labels labels, BucketReservoir buckets) {
        double[] finite = buckets.boundsSeconds();
        double[] bounds = java.util.Arrays.copyOf(finite, finite.length + 1);
        bounds[finite.length] = Double.POSITIVE_INFINITY;
        return HistogramDataPointSnapshot.builder().labels(labels)
                .classicHistogramBuckets(ClassicHistogramBuckets.of(bounds, buckets.counts()))
                .sum(Unit.nanosToSeconds(buckets.sumNanos())).build();
    }

    /** A count or a gauge's number; {@code NaN} for anything else. */
    private static double number(Metric metric) {
        if (metric instanceof Counting counting) {
            return counting.getCount();
        }
        if (metric instanceof Gauge<?> gauge) {
            Object value = gauge.getValue();
            if (value instanceof Number number) {
                return number.doubleValue();
            }
            if (value instanceof Boolean flag) {
                return flag ? 1 : 0;
            }
        }
        return Double.NaN;
    }
}
