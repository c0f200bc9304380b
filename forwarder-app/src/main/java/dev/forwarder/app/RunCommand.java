package dev.forwarder.app;

import dev.forwarder.app.admin.ReloadHook;
import dev.forwarder.app.config.ConfigLoader;
import dev.forwarder.app.config.ForwarderConfig;
import dev.forwarder.app.logging.LogFormats;
import dev.forwarder.app.reload.ReloadOnHangUp;
import dev.forwarder.app.reload.ReloadResult;
import dev.forwarder.app.reload.Reloader;
import dev.forwarder.core.ListenerBindException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/**
 * {@code forwarder run --config FILE}: validates, binds every listener, and relays until SIGTERM or SIGINT; SIGHUP
 * reloads the file in place.
 */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = {"Runs the forwarder with a config file until SIGTERM or SIGINT, then stops accepting, lets"
                + " open connections finish for up to forwarder.shutdown-timeout and exits 0. SIGHUP reloads the"
                + " config file in place; a file that does not validate leaves the running config as it is."},
        footer = {"", "Exit status: 0 stopped by a signal, 1 cannot bind a listener, 2 bad config."})
final class RunCommand implements Callable<Integer> {

    private static final Logger log = LoggerFactory.getLogger(RunCommand.class);

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
            description = "The HOCON config file, read over the defaults in reference.conf.")
    private Path config;

    @Override
    public Integer call() throws ListenerBindException, InterruptedException {
        // SIGHUP at once: the JVM's default would end the process while it starts.
        ReloadOnHangUp hangUp = new ReloadOnHangUp();
        StopSignals.onHangUp(hangUp);
        ForwarderConfig settings = ConfigLoader.load(config);
        LogFormats.use(settings.logFormat());
        try (Forwarder forwarder = Forwarder.start(settings)) {
            Reloader reloader = new Reloader(config, forwarder);
            hangUp.ready(reloader);
            // POST /api/reload does what SIGHUP does, one reload at a time with it, and answers with the outcome.
            forwarder.reloadHook(() -> {
                ReloadResult result = reloader.reload();
                return new ReloadHook.ReloadReply(result.ok(), result.message());
            });
            // Taken over only once running: a command that fails earlier leaves the process's signals alone.
            StopSignals signals = StopSignals.install(hangUp);
            log.info("running config={} transport={}", config, forwarder.relay().transport());
            String signal = signals.await();
            log.info("stopping signal={}", signal);
        }
        return Main.OK;
    }
}
