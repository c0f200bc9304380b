package dev.forwarder.app.loadtest;

import dev.forwarder.core.Addresses;
import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.util.Locale;
import java.util.Map;
import java.util.StringJoiner;

/**
 * The result of a load test. Latencies are in nanoseconds in {@link #latency}, measured from each request's
 * intended send time (the actual send time in the closed model), and absent in bulk mode.
 *
 * @param seconds    the measured time, after the warm-up
 * @param unanswered requests still waiting for their answer when the test ended (at most one per connection);
 *                   not counted as errors, but all of them with few requests means the target stalled
 */
public record Summary(LoadSettings settings, double seconds, long requests, long bytesSent, long bytesReceived,
        Map<ErrorKind, Long> errors, long unanswered, Histogram latency) {

    /** Percentiles reported, with their names in the text and JSON outputs. */
    private static final double[] PERCENTILES = {50, 90, 99, 99.9};
    private static final String[] PERCENTILE_KEYS = {"p50", "p90", "p99", "p99_9"};

    public Summary {
        errors = Map.copyOf(errors);
    }

    Summary withUnanswered(long count) {
        return new Summary(settings, seconds, requests, bytesSent, bytesReceived, errors, count, latency);
    }

    public long errorCount() {
        return errors.values().stream().mapToLong(Long::longValue).sum();
    }

    public double requestsPerSecond() {
        return requests / seconds;
    }

    /** Whether anything got through: a request answered, or in bulk a byte sent. */
    public boolean anySuccess() {
        return settings.mode() == Mode.BULK ? bytesSent > 0 : requests > 0;
    }

    /** A few lines for people. */
    public String text() {
        StringBuilder s = new StringBuilder();
        s.append(String.format(Locale.ROOT, "%s to %s: %d connection(s), %s per %s, %.1f s measured%s, %s%n",
                settings.mode().label(), Addresses.format(settings.target()), settings.connections(),
                bytes(settings.size()), settings.mode() == Mode.BULK ? "write" : "request", seconds,
                settings.warmup().isZero() ? "" : " after " + settings.warmup().toMillis() / 1000.0 + " s warm-up",
                settings.openModel() ? String.format(Locale.ROOT, "open model at %.0f requests/s", settings.rate())
                        : "closed model"));
        if (settings.mode() != Mode.BULK) {
            s.append(String.format(Locale.ROOT, "  requests  %d (%.1f/s)%n", requests, requestsPerSecond()));
        }
        s.append(String.format(Locale.ROOT, "  sent      %s (%s/s)%n", bytes(bytesSent), bytes(bytesSent / seconds)));
        s.append(String.format(Locale.ROOT, "  received  %s (%s/s)%n", bytes(bytesReceived),
                bytes(bytesReceived / seconds)));
        StringJoiner kinds = new StringJoiner(", ", " (", ")").setEmptyValue("");
        errors.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> kinds.add(e.getKey().label() + " " + e.getValue()));
        s.append(String.format(Locale.ROOT, "  errors    %d%s%n", errorCount(), kinds));
        if (settings.mode() != Mode.BULK) {
            s.append(String.format(Locale.ROOT, "  unanswered at the end  %d%n", unanswered));
        }
        if (latency != null && latency.getTotalCount() == 0) {
            s.append("  latency   none (no request answered)\n");
        } else if (latency != null) {
            s.append("  latency  ");
            for (int i = 0; i < PERCENTILES.length; i++) {
                s.append(' ').append(PERCENTILE_KEYS[i].replace('_', '.')).append(' ')
                        .append(millis(latency.getValueAtPercentile(PERCENTILES[i])));
            }
            s.append(" max ").append(millis(latency.getMaxValue()))
                    .append(settings.openModel() ? " (from intended send time)" : "").append('\n');
        }
        return s.toString();
    }

    /** One JSON object; latencies in microseconds, {@code null} in bulk mode or when nothing was answered. */
    public String json() {
        StringBuilder s = new StringBuilder("{");
        field(s, "target", quote(Addresses.format(settings.target())));
        field(s, "mode", quote(settings.mode().label()));
        field(s, "connections", settings.connections());
        field(s, "size_bytes", settings.size());
        field(s, "rate", settings.openModel() ? number(settings.rate()) : "null");
        field(s, "warmup_seconds", number(settings.warmup().toNanos() / 1e9));
        field(s, "seconds", number(seconds));
        field(s, "requests", requests);
        field(s, "requests_per_second", number(requestsPerSecond()));
        field(s, "bytes_sent", bytesSent);
        field(s, "bytes_received", bytesReceived);
        field(s, "sent_bytes_per_second", number(bytesSent / seconds));
        field(s, "received_bytes_per_second", number(bytesReceived / seconds));
        StringJoiner kinds = new StringJoiner(",", "{", "}");
        errors.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> kinds.add(quote(e.getKey().label()) + ":" + e.getValue()));
        field(s, "errors", kinds);
        field(s, "errors_total", errorCount());
        field(s, "unanswered_at_end", unanswered);
        if (latency == null || latency.getTotalCount() == 0) {
            field(s, "latency_us", "null");
        } else {
            StringJoiner l = new StringJoiner(",", "{", "}");
            l.add("\"count\":" + latency.getTotalCount());
            l.add("\"mean\":" + number(latency.getMean() / 1e3));
            for (int i = 0; i < PERCENTILES.length; i++) {
                l.add(quote(PERCENTILE_KEYS[i]) + ":" + number(latency.getValueAtPercentile(PERCENTILES[i]) / 1e3));
            }
            l.add("\"max\":" + number(latency.getMaxValue() / 1e3));
            field(s, "latency_us", l);
        }
        s.setLength(s.length() - 1);
        return s.append('}').toString();
    }

    /** HdrHistogram's percentile distribution of the latencies, in microseconds (for {@code --hgrm}). */
    public void writePercentileDistribution(PrintStream out) {
        if (latency != null) {
            latency.outputPercentileDistribution(out, 1000.0);
        }
    }

    private static void field(StringBuilder s, String name, Object value) {
        s.append('"').append(name).append("\":").append(value).append(',');
    }

    private static String quote(String text) {
        return '"' + text.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
    }

    private static String number(double value) {
        return Double.isFinite(value) ? String.format(Locale.ROOT, "%.3f", value) : "null";
    }

    private static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.3f ms", nanos / 1e6);
    }

    /** {@code 812 B}, {@code 12.3 KiB}, {@code 1.21 GiB}. */
    static String bytes(double bytes) {
        String[] units = {"B", "KiB", "MiB", "GiB", "TiB"};
        int unit = 0;
        while (bytes >= 1024 && unit < units.length - 1) {
            bytes /= 1024;
            unit++;
        }
        return unit == 0 ? String.format(Locale.ROOT, "%.0f B", bytes)
                : String.format(Locale.ROOT, "%.2f %s", bytes, units[unit]);
    }
}
