package dev.forwarder.app;

import dev.forwarder.app.config.ConfigLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** The command line's exit statuses and output, through {@link Main#execute}. */
class MainTest {

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    private int run(String... args) {
        return Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    private Path config(String listenerBind, String strategy) throws IOException {
        return Files.writeString(dir.resolve("fwd.conf"), """
                forwarder {
                  listeners {
                    web { bind = "%s", pool = web }
                  }
                  pools {
                    web {
                      strategy = %s
                      backends = [ "127.0.0.1:9001", { address = "127.0.0.1:9002", weight = 2 } ]
                    }
                  }
                }
                """.formatted(listenerBind, strategy));
    }

    @Test
    void helpExitsZeroOnTheTopLevelAndOnEveryCommand() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("run", "check", "demo");
        for (String command : new String[] {"run", "check", "demo"}) {
            assertThat(run(command, "--help")).as(command).isZero();
            assertThat(out.toString()).contains("Usage: forwarder " + command);
        }
        assertThat(out.toString()).contains("--config=FILE", "--port=PORT");
    }

    @Test
    void noCommandPrintsUsageAndExitsTwo() {
        assertThat(run()).isEqualTo(Main.CONFIG_ERROR);
        assertThat(err.toString()).contains("Usage: forwarder");
    }

    @Test
    void badUsageExitsTwo() {
        assertThat(run("check")).isEqualTo(2);
        assertThat(err.toString()).contains("Missing required option: '--config=FILE'");
        assertThat(run("launch")).isEqualTo(2);
        assertThat(run("demo", "--port", "70000")).isEqualTo(2);
    }

    @Test
    void checkPrintsTheEffectiveConfigAndExitsZero() throws IOException {
        Path file = config("127.0.0.1:8080", "round-robin");

        assertThat(run("check", "--config", file.toString())).isZero();

        String printed = out.toString();
        assertThat(printed).startsWith("# " + file + ": valid.");
        assertThat(printed).contains("metrics {\n    enabled = true\n    jmx = false\n  }", "bind = \"127.0.0.1:8080\"",
                "idle-timeout = 10m", "connect-timeout = 3s",
                "{ address = \"127.0.0.1:9002\", weight = 2, backup = false }");
        assertThat(ConfigLoader.parse(printed, "printed")).isEqualTo(ConfigLoader.load(file));
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void checkOfABadConfigExitsTwoNamingFileLineAndKey() throws IOException {
        Path file = config("127.0.0.1:8080", "round-robbin");

        assertThat(run("check", "--config", file.toString())).isEqualTo(Main.CONFIG_ERROR);

        assertThat(err.toString()).startsWith("config error: " + file
                + ":7: forwarder.pools.web.strategy: \"round-robbin\" is not a strategy (expected one of: ");
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void checkOfAMissingFileExitsTwo() {
        Path file = dir.resolve("absent.conf");

        assertThat(run("check", "--config", file.toString())).isEqualTo(2);

        assertThat(err.toString()).isEqualTo("config error: " + file + ": no such file (expected: a HOCON config"
                + " file)" + System.lineSeparator());
    }

    @Test
    void checkOfAMissingRequiredIncludeNamesFileAndLineInOneLine() throws IOException {
        Path file = Files.writeString(dir.resolve("fwd.conf"), """
                forwarder {
                  include required("missing.conf")
                  listeners { web { bind = "127.0.0.1:8080", pool = web } }
                  pools { web { backends = [ "127.0.0.1:9001" ] } }
                }
                """);

        assertThat(run("check", "--config", file.toString())).isEqualTo(Main.CONFIG_ERROR);

        assertThat(err.toString()).isEqualTo("config error: " + file + ":2: include required(\"missing.conf\"): no"
                + " such file" + System.lineSeparator());
        assertThat(out.toString()).isEmpty();
    }

    @Test
    void runValidatesBeforeOpeningAnySocket() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            // Binding would fail with status 1; the bad strategy must be found first.
            Path file = config("127.0.0.1:" + taken.getLocalPort(), "round-robbin");

            assertThat(run("run", "--config", file.toString())).isEqualTo(Main.CONFIG_ERROR);
        }
        assertThat(err.toString()).startsWith("config error: ").doesNotContain("cannot bind");
    }

    @Test
    void runOnAPortInUseExitsOneWithAClearMessage() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Path file = config("127.0.0.1:" + taken.getLocalPort(), "round-robin");

            assertThat(run("run", "--config", file.toString())).isEqualTo(Main.FAILURE);

            assertThat(err.toString()).isEqualTo("error: listener web: cannot bind 127.0.0.1:" + taken.getLocalPort()
                    + ": Address already in use" + System.lineSeparator());
        }
    }
}
