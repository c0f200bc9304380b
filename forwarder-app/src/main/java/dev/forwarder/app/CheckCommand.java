package dev.forwarder.app;

import dev.forwarder.app.config.ConfigLoader;
import dev.forwarder.app.config.ConfigPrinter;
import dev.forwarder.app.config.ForwarderConfig;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code forwarder check --config FILE}: validates without opening a socket and prints the effective config. */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = {"Validates a config file without opening any socket, and prints the effective config:"
                + " every listener and pool with its defaults applied, as HOCON that `run` accepts."},
        footer = {"", "Exit status: 0 valid, 2 bad config (the message names file, line and key)."})
final class CheckCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = {"-c", "--config"}, required = true, paramLabel = "FILE",
            description = "The HOCON config file, read over the defaults in reference.conf.")
    private Path config;

    @Override
    public Integer call() {
        ForwarderConfig settings = ConfigLoader.load(config);
        spec.commandLine().getOut().print("# " + config + ": valid. Effective configuration, defaults applied:\n"
                + ConfigPrinter.render(settings));
        spec.commandLine().getOut().flush();
        return Main.OK;
    }
}
