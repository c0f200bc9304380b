package dev.forwarder.app;

import dev.forwarder.app.config.ConfigError;
import dev.forwarder.app.loadtest.EchoServerCommand;
import dev.forwarder.app.loadtest.LoadTestCommand;
import dev.forwarder.core.ListenerBindException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.concurrent.Callable;

/**
 * The command line: {@code forwarder run|check|demo}. {@link #execute} returns the exit status instead of
 * exiting, so tests can call it; {@link #main} exits with it.
 *
 * <p>Exit statuses: {@value #OK} done (or stopped by SIGTERM/SIGINT); {@value #FAILURE} could not run (a port in
 * use, an unexpected error); {@value #CONFIG_ERROR} a bad config file or bad command-line usage.
 */
@Command(name = "forwarder", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        subcommands = {RunCommand.class, CheckCommand.class, DemoCommand.class, LoadTestCommand.class,
                EchoServerCommand.class},
        description = "A load-balancing TCP forwarder.",
        footer = {"", "Run `forwarder COMMAND --help` for a command's options. Exit status: 0 ok,"
                + " 1 cannot run (e.g. port in use), 2 bad config or usage."})
public final class Main implements Callable<Integer> {

    public static final int OK = 0;
    public static final int FAILURE = 1;
    public static final int CONFIG_ERROR = 2;

    private static final Logger log = LoggerFactory.getLogger(Main.class);

    @Spec
    private CommandSpec spec;

    public static void main(String... args) {
        System.exit(execute(args));
    }

    /** Runs a command, printing to stdout and stderr, and returns its exit status. */
    public static int execute(String... args) {
        return execute(new PrintWriter(System.out, true), new PrintWriter(System.err, true), args);
    }

    /** Runs a command, printing to {@code out} and {@code err}, and returns its exit status. */
    public static int execute(PrintWriter out, PrintWriter err, String... args) {
        return new CommandLine(new Main())
                .setOut(out)
                .setErr(err)
                .setExecutionExceptionHandler(Main::failed)
                .execute(args);
    }

    /** Without a command: the usage, and the status of a usage error. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return CONFIG_ERROR;
    }

    private static int failed(Exception e, CommandLine commandLine, ParseResult parsed) {
        PrintWriter err = commandLine.getErr();
        if (e instanceof ConfigError) {
            err.println("config error: " + e.getMessage());
            return CONFIG_ERROR;
        }
        if (e instanceof ListenerBindException) {
            err.println("error: " + e.getMessage());
            return FAILURE;
        }
        log.error("command failed command={}", commandLine.getCommandName(), e);
        err.println("error: " + (e.getMessage() == null ? e.getClass().getName() : e.getMessage()));
        return FAILURE;
    }

    /** The version from the jar's manifest, when there is one. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"forwarder " + (version == null ? "(development build)" : version)};
        }
    }
}
