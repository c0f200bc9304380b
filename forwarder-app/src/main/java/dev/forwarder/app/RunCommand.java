package dev.forwarder.app;

import dev.forwarder.app.admin.ReloadHook;
import com.typesafe.config.ConfigUtil;
import dev.forwarder.app.capture.Dump;
import dev.forwarder.app.capture.DumpMode;
import dev.forwarder.app.config.ConfigLoader;
import dev.forwarder.app.config.ForwarderConfig;
import dev.forwarder.app.logging.LogFormats;
import dev.forwarder.app.reload.ReloadOnHangUp;
import dev.forwarder.app.reload.ReloadResult;
import dev.forwarder.app.reload.Reloader;
import dev.forwarder.core.ListenerBindException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;

/**
 * {@code forwarder run --config FILE}, or quick mode {@code forwarder run --bind ADDR --backend ADDR...}: validates,
 * binds every listener, and relays until SIGTERM or SIGINT; SIGHUP reloads the file in place; {@code --dump} prints
 * the traffic on standard output.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Runs the forwarder with a config file until SIGTERM or SIGINT, then stops accepting, lets"
                + " open connections finish for up to forwarder.shutdown-timeout and exits 0. SIGHUP reloads the"
                + " config file in place; a file that does not validate leaves the running config as it is.",
                "Quick mode, without a file: --bind ADDR --backend ADDR [--backend ADDR ...] runs one listener"
                        + " (named " + RunCommand.QUICK + ") with the defaults of reference.conf."},
        footer = {"", "Exit status: 0 stopped by a signal, 1 cannot bind a listener, 2 bad config or usage."})
final class RunCommand implements Callable<Integer> {

    /** The listener and pool quick mode runs. */
    static final String QUICK = "quick";

    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    @Spec
    private CommandSpec spec;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE",
            description = "The HOCON config file, read over the defaults in reference.conf.")
    private Path config;

    @Option(names = "--bind", paramLabel = "HOST:PORT",
            description = "Quick mode: the listener's address (port 0 picks a free one). Not with --config.")
    private String bind;

    @Option(names = "--backend", paramLabel = "HOST:PORT",
            description = "Quick mode: a backend; repeat for more.")
    private List<String> backends = new ArrayList<>();

    @Option(names = "--strategy", paramLabel = "NAME",
            description = "Quick mode: how the backends share connections (round-robin, least-connections,"
                    + " random-two, maglev). Default: round-robin.")
    private String strategy;

    @Option(names = "--dump", arity = "0..1", fallbackValue = "full", paramLabel = "summary",
            description = "Print every chunk both ways on standard output: a header line (time, connection,"
                    + " direction, size, offset) and a hexdump -C dump, protocol summaries and each connection's"
                    + " timeline. --dump=summary: only the summaries and the timeline. With --config too.")
    private String dump;

    @Override
    public Integer call() throws ListenerBindException, InterruptedException {
        // SIGHUP at once: the JVM's default would end the process while it starts.
        ReloadOnHangUp hangUp = new ReloadOnHangUp();
        StopSignals.onHangUp(hangUp);
        DumpMode dumpMode = dumpMode();
        if (bind != null && config != null) {
            throw usage("--config and --bind exclude each other: --config FILE, or --bind and --backend");
        }
        ForwarderConfig settings = config != null ? ConfigLoader.load(config) : quickConfig();
        LogFormats.use(settings.logFormat());
        Dump printer = dumpMode == null ? null : Dump.to(dumpMode, System.out);
        try (Forwarder forwarder = Forwarder.start(settings, printer)) {
            if (config != null) {
                Reloader reloader = new Reloader(config, forwarder);
                hangUp.ready(reloader);
                // POST /api/reload does what SIGHUP does, one reload at a time with it, and answers with the outcome.
                forwarder.reloadHook(() -> {
                    ReloadResult result = reloader.reload();
                    return new ReloadHook.ReloadReply(result.ok(), result.message());
                });
            } else {
                forwarder.reloadHook(() -> new ReloadHook.ReloadReply(false,
                        "quick mode (--bind/--backend) has no config file to reload"));
            }
            // Taken over only once running: a command that fails earlier leaves the process's signals alone.
            StopSignals signals = StopSignals.install(hangUp);
            log.info("running config={} transport={}{}", config == null ? "(quick mode)" : config,
                    forwarder.relay().transport().configName(), dumpMode == null ? "" : " dump=" + dumpMode.name().toLowerCase(Locale.ROOT));
            String signal = signals.await();
            log.info("stopping signal={}", signal);
        }
        return Main.OK;
    }

    private DumpMode dumpMode() {
        if (dump == null) {
            return null;
        }
        return switch (dump) {
            case "full" -> DumpMode.FULL;
            case "summary" -> DumpMode.SUMMARY;
            default -> throw new CommandLine.ParameterException(spec.commandLine(),
                    "--dump=" + dump + ": expected --dump or --dump=summary");
        };
    }

    /** One listener and one pool from the options, validated like a file (errors name the option's key). */
    private ForwarderConfig quickConfig() {
        if (bind == null) {
            throw usage(backends.isEmpty() && strategy == null ? "expected --config FILE, or --bind and --backend"
                    : "--backend and --strategy need --bind (quick mode)");
        }
        if (backends.isEmpty()) {
            throw usage("--bind needs at least one --backend");
        }
        // The admin port on a free loopback port (it is logged): quick mode often runs beside a forwarder that
        // holds the default 127.0.0.1:9901.
        String hocon = "forwarder {\n"
                + "  admin { bind = \"127.0.0.1:0\" }\n"
                + "  listeners { " + QUICK + " { bind = " + ConfigUtil.quoteString(bind) + ", pool = " + QUICK
                + " } }\n"
                + "  pools { " + QUICK + " {\n"
                + (strategy == null ? "" : "    strategy = " + ConfigUtil.quoteString(strategy) + "\n")
                + "    backends = [ " + backends.stream().map(ConfigUtil::quoteString).collect(Collectors.joining(", "))
                + " ]\n"
                + "  } }\n}\n";
        return ConfigLoader.parse(hocon, "command line");
    }

    private CommandLine.ParameterException usage(String message) {
        return new CommandLine.ParameterException(spec.commandLine(), message);
    }
}
