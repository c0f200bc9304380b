package dev.forwarder.app.loadtest;

import dev.forwarder.core.Transport;
import org.HdrHistogram.Histogram;
import picocli.CommandLine.Command;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code forwarder loadtest}: load against a TCP server (e.g. {@code forwarder echo-server}), with a summary. */
@Command(name = "loadtest", mixinStandardHelpOptions = true,
        description = {"Puts load on a TCP server that echoes (such as `forwarder echo-server`, directly or through"
                + " forwarder) and reports throughput, errors by kind and latency percentiles. Aim it only at"
                + " servers that are yours to load.",
                "Modes: rr sends --size bytes and waits for --size bytes back, on kept connections; churn does the"
                + " same on a new connection per request (connect, send, read, close; latency includes the"
                + " connect); bulk writes --size chunks as fast as the socket takes them and counts the bytes"
                + " that come back."},
        footer = {"", "A progress line goes to stderr each second, the summary to stdout.",
                "Exit status: 0 when at least one request was answered (bulk: a byte sent), 1 when none was,"
                        + " 2 bad usage."})
public final class LoadTestCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = {"-t", "--target"}, required = true, paramLabel = "HOST:PORT",
            converter = Quantities.AddressConverter.class, description = "The server to load.")
    private InetSocketAddress target;

    @Option(names = {"-m", "--mode"}, defaultValue = "rr", paramLabel = "rr|bulk|churn",
            converter = ModeConverter.class, description = "What each connection does (default: ${DEFAULT-VALUE}).")
    private Mode mode;

    @Option(names = {"-c", "--connections"}, defaultValue = "10", paramLabel = "N",
            description = "Concurrent connections (default: ${DEFAULT-VALUE}).")
    private int connections;

    @Option(names = {"-d", "--duration"}, defaultValue = "10s", paramLabel = "TIME",
            converter = Quantities.DurationConverter.class,
            description = "How long to measure, after the warm-up (default: ${DEFAULT-VALUE}).")
    private Duration duration;

    @Option(names = "--warmup", defaultValue = "0s", paramLabel = "TIME",
            converter = Quantities.DurationConverter.class,
            description = "Load to apply first, not counted (default: ${DEFAULT-VALUE}).")
    private Duration warmup;

    @Option(names = {"-r", "--rate"}, defaultValue = "0", paramLabel = "REQ/S",
            description = {"Open model: requests per second over all connections, each timed from when it was"
                    + " meant to be sent, so a stall is not hidden (coordinated omission). 0 (default): each"
                    + " connection sends its next request when the previous one is answered. Not for bulk."})
    private double rate;

    @Option(names = {"-s", "--size"}, paramLabel = "SIZE", converter = Quantities.SizeConverter.class,
            description = "Bytes per request each way (rr, churn; default: 100B), or per write (bulk; default:"
                    + " 64KiB). B, KiB, MiB.")
    private Integer size;

    @Option(names = "--timeout", defaultValue = "5s", paramLabel = "TIME",
            converter = Quantities.DurationConverter.class,
            description = "Time allowed for a connect, and for an answer (default: ${DEFAULT-VALUE}).")
    private Duration timeout;

    @Option(names = "--threads", paramLabel = "N", description = "Client event-loop threads (default: one per"
            + " CPU core, at most one per connection).")
    private Integer threads;

    @Option(names = "--transport", defaultValue = "auto", paramLabel = "auto|epoll|nio",
            converter = TransportConverter.class,
            description = "Netty transport (default: ${DEFAULT-VALUE}: epoll where available).")
    private Transport transport;

    @Option(names = "--json", description = "Print the summary as one JSON object (latencies in microseconds).")
    private boolean json;

    @Option(names = "--hgrm", paramLabel = "FILE",
            description = "Also write HdrHistogram's percentile distribution of the latencies (microseconds).")
    private Path hgrm;

    @Option(names = {"-q", "--quiet"}, description = "No progress lines.")
    private boolean quiet;

    @Override
    public Integer call() throws InterruptedException, IOException {
        LoadSettings settings;
        try {
            int cores = Runtime.getRuntime().availableProcessors();
            settings = new LoadSettings(target, mode, connections, duration, warmup, rate,
                    size != null ? size : mode == Mode.BULK ? LoadSettings.DEFAULT_BULK_SIZE
                            : LoadSettings.DEFAULT_REQUEST_SIZE,
                    timeout, threads != null ? threads : Math.max(1, Math.min(cores, connections)), transport);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--" + e.getMessage());
        }
        PrintWriter err = spec.commandLine().getErr();
        Summary summary = new LoadTest(settings).run(p -> {
            if (!quiet) {
                err.println(progressLine(p));
                err.flush();
            }
        });
        PrintWriter out = spec.commandLine().getOut();
        out.print(json ? summary.json() + "\n" : summary.text());
        out.flush();
        if (hgrm != null) {
            try (PrintStream file = new PrintStream(Files.newOutputStream(hgrm), false, "UTF-8")) {
                summary.writePercentileDistribution(file);
            }
        }
        return summary.anySuccess() ? 0 : 1;
    }

    static String progressLine(LoadTest.Progress p) {
        String rate = p.mode() == Mode.BULK
                ? String.format(Locale.ROOT, "sent %s/s received %s/s", Summary.bytes(p.sentBytesPerSecond()),
                        Summary.bytes(p.receivedBytesPerSecond()))
                : String.format(Locale.ROOT, "%.0f req/s", p.requestsPerSecond());
        Histogram h = p.latency();
        String latency = p.mode() == Mode.BULK || h.getTotalCount() == 0 ? ""
                : String.format(Locale.ROOT, "  p50 %.3f ms  p99 %.3f ms  max %.3f ms",
                        h.getValueAtPercentile(50) / 1e6, h.getValueAtPercentile(99) / 1e6, h.getMaxValue() / 1e6);
        return String.format(Locale.ROOT, "[%5.1fs] %s %s%s  errors %d%s", p.elapsedSeconds(), p.mode().label(),
                rate, latency, p.errors(), p.warmup() ? "  (warm-up)" : "");
    }

    /** {@code rr}, {@code bulk}, {@code churn}. */
    static final class ModeConverter implements ITypeConverter<Mode> {
        @Override
        public Mode convert(String value) {
            try {
                return Mode.valueOf(value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("\"" + value + "\" is not a mode (expected one of: rr, bulk,"
                        + " churn)");
            }
        }
    }

    /** {@code auto}, {@code epoll}, {@code nio}. */
    static final class TransportConverter implements ITypeConverter<Transport> {
        @Override
        public Transport convert(String value) {
            try {
                return Transport.valueOf(value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException("\"" + value + "\" is not a transport (expected one of: auto,"
                        + " epoll, nio)");
            }
        }
    }
}
