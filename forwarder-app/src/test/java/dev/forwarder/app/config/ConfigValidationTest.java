package dev.forwarder.app.config;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Every way a config can be wrong: each error names the file, the line and the full key. */
class ConfigValidationTest {

    @TempDir
    Path dir;

    /** Loads {@code text} from a file and returns the error, checking its file, its line (where
     * {@code marker} is) and its key ({@code null} for a problem of the file, not of a key). */
    private ConfigError errorAt(String text, String marker, String key) {
        Path file = ConfigFiles.write(dir, "fwd.conf", text);
        ConfigError error = catchThrowableOfType(ConfigError.class, () -> ConfigLoader.load(file));
        assertThat(error).as("expected a config error for:%n%s", text).isNotNull();
        int line = ConfigFiles.lineOf(text, marker);
        assertThat(error.file()).isEqualTo(file.toString());
        assertThat(error.line()).isEqualTo(line);
        assertThat(error.key()).isEqualTo(key);
        assertThat(error.getMessage()).startsWith(file + ":" + line + ": " + (key == null ? "" : key + ": "));
        return error;
    }

    @Test
    void unknownStrategyNamesFileLineAndKey() {
        String text = ConfigFiles.example("", "").replace("round-robin", "round-robbin");

        ConfigError error = errorAt(text, "round-robbin", "forwarder.pools.web.strategy");

        assertThat(error.getMessage()).isEqualTo(dir.resolve("fwd.conf") + ":7: forwarder.pools.web.strategy: "
                + "\"round-robbin\" is not a strategy (expected one of: "
                + String.join(", ", dev.forwarder.balancer.BalancingStrategy.names()) + ")");
    }

    @Test
    void unknownPoolReferencedByAListener() {
        String text = ConfigFiles.example("", "").replace("pool = web", "pool = webb");

        ConfigError error = errorAt(text, "pool = webb", "forwarder.listeners.web.pool");

        assertThat(error.problem()).isEqualTo("\"webb\" is not a pool (expected one of: web)");
    }

    @Test
    void backendWithoutPortIsABadAddress() {
        String text = ConfigFiles.example("", "").replace("\"127.0.0.1:9001\"", "\"127.0.0.1\"");

        ConfigError error = errorAt(text, "backends", "forwarder.pools.web.backends[0]");

        assertThat(error.problem()).startsWith("\"127.0.0.1\" is not host:port");
    }

    @Test
    void backendObjectWithPortOutOfRangeIsABadAddress() {
        String text = ConfigFiles.example("", "").replace("127.0.0.1:9002", "127.0.0.1:99999");

        ConfigError error = errorAt(text, "backends", "forwarder.pools.web.backends[1].address");

        assertThat(error.problem()).isEqualTo("\"127.0.0.1:99999\" has port 99999 (expected: 1-65535)");
    }

    @Test
    void bindAddressWithUnresolvableHost() {
        String text = ConfigFiles.example("", "").replace("127.0.0.1:8080", "no-such-host.invalid:8080");

        ConfigError error = errorAt(text, "no-such-host", "forwarder.listeners.web.bind");

        assertThat(error.problem()).contains("does not resolve");
    }

    @Test
    void negativeTimeoutInAPool() {
        String text = ConfigFiles.example("", "\n      connect-timeout = -1s");

        ConfigError error = errorAt(text, "connect-timeout", "forwarder.pools.web.connect-timeout");

        assertThat(error.problem()).isEqualTo("\"-1s\" is negative (expected: > 0)");
    }

    @Test
    void negativeTimeoutInListenerDefaultsNamesTheDefaultsKey() {
        String text = ConfigFiles.example("", "").replace("forwarder {\n",
                "forwarder {\n  listener-defaults { idle-timeout = -5m }\n");

        ConfigError error = errorAt(text, "idle-timeout", "forwarder.listener-defaults.idle-timeout");

        assertThat(error.problem()).isEqualTo("\"-5m\" is negative (expected: >= 0)");
    }

    @Test
    void negativeShutdownTimeout() {
        String text = ConfigFiles.example("", "").replace("forwarder {\n", "forwarder {\n  shutdown-timeout = -1s\n");

        errorAt(text, "shutdown-timeout", "forwarder.shutdown-timeout");
    }

    @Test
    void zeroConnectTimeoutAndTimeoutsWithoutUnit() {
        String zero = ConfigFiles.example("", "\n      connect-timeout = 0s");
        assertThat(errorAt(zero, "connect-timeout", "forwarder.pools.web.connect-timeout").problem())
                .isEqualTo("\"0s\" is zero (expected: > 0)");

        String negative = ConfigFiles.example(", defer-accept = -1s", "");
        assertThat(errorAt(negative, "defer-accept", "forwarder.listeners.web.defer-accept").problem())
                .isEqualTo("\"-1s\" is negative (expected: >= 0)");

        String bare = ConfigFiles.example(", idle-timeout = 10", "");
        assertThat(errorAt(bare, "idle-timeout", "forwarder.listeners.web.idle-timeout").problem())
                .startsWith("10 has no unit");
    }

    @Test
    void typoedKeyAtTopLevel() {
        String text = ConfigFiles.example("", "").replace("forwarder {\n", "forwarder {\n  shutdown-timout = 5s\n");

        ConfigError error = errorAt(text, "shutdown-timout", "forwarder.shutdown-timout");

        assertThat(error.problem()).startsWith("unknown key, did you mean shutdown-timeout? (expected one of: "
                + "transport, io-threads, shutdown-timeout,");
    }

    @Test
    void logFormatIsOneOfTextAndJson() {
        String unknown = ConfigFiles.example("", "").replace("forwarder {\n",
                "forwarder {\n  log { format = xml }\n");
        assertThat(errorAt(unknown, "xml", "forwarder.log.format").problem())
                .isEqualTo("\"xml\" is not one of: text, json");

        String typo = ConfigFiles.example("", "").replace("forwarder {\n", "forwarder {\n  log { fromat = json }\n");
        assertThat(errorAt(typo, "fromat", "forwarder.log.fromat").problem())
                .isEqualTo("unknown key, did you mean format? (expected one of: format)");
    }

    @Test
    void metricsSwitchIsCheckedLikeEveryOtherKey() {
        String typo = ConfigFiles.example("", "").replace("forwarder {\n",
                "forwarder {\n  metrics { enabeld = false }\n");
        assertThat(errorAt(typo, "enabeld", "forwarder.metrics.enabeld").problem())
                .isEqualTo("unknown key, did you mean enabled? (expected one of: enabled, jmx)");

        String notBoolean = ConfigFiles.example("", "").replace("forwarder {\n",
                "forwarder {\n  metrics { enabled = sometimes }\n");
        assertThat(errorAt(notBoolean, "sometimes", "forwarder.metrics.enabled").problem())
                .isEqualTo("\"sometimes\" is not a boolean (expected: true or false)");

        String notObject = ConfigFiles.example("", "").replace("forwarder {\n", "forwarder {\n  metrics = false\n");
        errorAt(notObject, "metrics", "forwarder.metrics");
    }

    @Test
    void typoedKeyOutsideTheForwarderBlock() {
        String text = ConfigFiles.example("", "").replace("forwarder {\n", "forwader {\n}\nforwarder {\n");

        errorAt(text, "forwader", "forwader");
    }

    @Test
    void typoedKeyInAListener() {
        String text = ConfigFiles.example(", idel-timeout = 1m", "");

        ConfigError error = errorAt(text, "idel-timeout", "forwarder.listeners.web.idel-timeout");

        assertThat(error.problem()).startsWith("unknown key, did you mean idle-timeout?");
    }

    @Test
    void typoedKeyInAPool() {
        String text = ConfigFiles.example("", "").replace("strategy = ", "stratgy = ");

        ConfigError error = errorAt(text, "stratgy", "forwarder.pools.web.stratgy");

        assertThat(error.problem()).startsWith("unknown key, did you mean strategy?");
    }

    @Test
    void typoedKeyInABackendObject() {
        String text = ConfigFiles.example("", "").replace("weight = 2", "wieght = 2");

        ConfigError error = errorAt(text, "wieght", "forwarder.pools.web.backends[1].wieght");

        assertThat(error.problem()).isEqualTo("unknown key, did you mean weight? (expected one of: address, weight,"
                + " backup, max-connections)");
    }

    @Test
    void typoedKeyInPoolDefaults() {
        String text = ConfigFiles.example("", "").replace("forwarder {\n",
                "forwarder {\n  pool-defaults { connect-timeuot = 1s }\n");

        errorAt(text, "connect-timeuot", "forwarder.pool-defaults.connect-timeuot");
    }

    @Test
    void keyThatIsOnlyAllowedElsewhere() {
        String text = ConfigFiles.example(", strategy = round-robin", "");

        ConfigError error = errorAt(text, "pool = web, strategy", "forwarder.listeners.web.strategy");

        assertThat(error.problem()).startsWith("unknown key (expected one of: bind, pool,");
    }

    @Test
    void weightOutOfRangeAndBackupNotABoolean() {
        String heavy = ConfigFiles.example("", "").replace("weight = 2", "weight = 300");
        assertThat(errorAt(heavy, "weight", "forwarder.pools.web.backends[1].weight").problem())
                .isEqualTo("300 is out of range (expected: 1-256)");

        String backup = ConfigFiles.example("", "").replace("weight = 2", "backup = maybe");
        errorAt(backup, "backup", "forwarder.pools.web.backends[1].backup");
    }

    /** A pool {@code web} with these backend entries, one a line, behind a listener. */
    private static String poolWith(String... backends) {
        return """
                forwarder {
                  listeners { web { bind = "127.0.0.1:8080", pool = web } }
                  pools {
                    web {
                      backends = [
                        %s
                      ]
                    }
                  }
                }
                """.formatted(String.join("\n        ", backends));
    }

    @Test
    void backupOnAPrimarysAddressNamesTheLaterEntry() {
        String text = poolWith("\"127.0.0.1:9001\"", "\"127.0.0.1:9002\"",
                "{ address = \"127.0.0.1:9001\", backup = true }");

        ConfigError error = errorAt(text, "backup = true", "forwarder.pools.web.backends[2]");

        assertThat(error.getMessage()).isEqualTo(dir.resolve("fwd.conf") + ":8: forwarder.pools.web.backends[2]: "
                + "\"127.0.0.1:9001\" is also backends[0] (expected: each backend once; a backup on a primary's"
                + " address would never be used)");
    }

    @Test
    void primaryOnABackupsAddressNamesTheLaterEntry() {
        String text = poolWith("{ address = \"127.0.0.1:9001\", backup = true }", "\"127.0.0.1:9001\" # again");

        ConfigError error = errorAt(text, "# again", "forwarder.pools.web.backends[1]");

        assertThat(error.problem()).isEqualTo("\"127.0.0.1:9001\" is also backends[0] (expected: each backend"
                + " once; a primary on a backup's address would only ever be a backup)");
    }

    @Test
    void sameBackendTwiceIsAnErrorHoweverTheAddressIsWritten() {
        String ipv4 = poolWith("\"127.0.0.1:9001\"", "{ address = \"127.0.0.1:9001\", weight = 2 }");
        assertThat(errorAt(ipv4, "weight = 2", "forwarder.pools.web.backends[1]").problem())
                .isEqualTo("\"127.0.0.1:9001\" is also backends[0] (expected: each backend once)");

        String ipv6 = poolWith("\"[::1]:9001\"", "\"127.0.0.1:9001\"", "\"[0:0:0:0:0:0:0:1]:9001\"");
        assertThat(errorAt(ipv6, "[0:0", "forwarder.pools.web.backends[2]").problem())
                .isEqualTo("\"[0:0:0:0:0:0:0:1]:9001\" is also backends[0] (expected: each backend once)");

        String backups = poolWith("\"127.0.0.1:9000\"", "{ address = \"[::1]:9001\", backup = true }",
                "{ address = \"[0::1]:9001\", backup = true }");
        assertThat(errorAt(backups, "[0::1]", "forwarder.pools.web.backends[2]").problem())
                .isEqualTo("\"[0::1]:9001\" is also backends[1] (expected: each backend once)");

        String names = poolWith("\"localhost:9001\"", "\"LocalHost:9001\"");
        assertThat(errorAt(names, "LocalHost", "forwarder.pools.web.backends[1]").problem())
                .isEqualTo("\"LocalHost:9001\" is also backends[0] (expected: each backend once)");
    }

    @Test
    void sameHostOnOtherPortsAndOtherPoolsIsNoDuplicate() {
        ForwarderConfig config = ConfigLoader.parse("""
                forwarder {
                  listeners { web { bind = "127.0.0.1:8080", pool = web }, api { bind = "127.0.0.1:8081", pool = api } }
                  pools {
                    web { backends = [ "127.0.0.1:9001", "127.0.0.1:9002", { address = "[::1]:9001", backup = true } ] }
                    api { backends = [ "127.0.0.1:9001" ] }
                  }
                }
                """, "test");

        assertThat(config.pools().get("web").backends()).hasSize(3);
        assertThat(config.pools().get("api").backends()).hasSize(1);
    }

    @Test
    void maxQueueOutOfRange() {
        String text = ConfigFiles.example("", ",\n      max-queue = 0");

        assertThat(errorAt(text, "max-queue", "forwarder.pools.web.max-queue").problem())
                .isEqualTo("0 is out of range (expected: 1-1000000)");
    }

    @Test
    void highWaterMarkBelowLowWaterMark() {
        String text = ConfigFiles.example(", write-buffer-high-water-mark = 16 KiB", "");

        ConfigError error = errorAt(text, "write-buffer-high", "forwarder.listeners.web.write-buffer-high-water-mark");

        assertThat(error.problem()).contains("below write-buffer-low-water-mark");
    }

    @Test
    void unknownTransportAndIoThreadsOutOfRange() {
        String transport = ConfigFiles.example("", "").replace("forwarder {\n", "forwarder {\n  transport = kqueue\n");
        assertThat(errorAt(transport, "kqueue", "forwarder.transport").problem())
                .isEqualTo("\"kqueue\" is not a transport (expected one of: auto, epoll, io-uring, nio)");

        String threads = ConfigFiles.example("", "").replace("forwarder {\n", "forwarder {\n  io-threads = -1\n");
        errorAt(threads, "io-threads", "forwarder.io-threads");
    }

    @Test
    void emptyBackendListAndListenerThatIsNotAnObject() {
        String empty = ConfigFiles.example("", "").replaceAll("backends = \\[.*]", "backends = []");
        assertThat(errorAt(empty, "backends", "forwarder.pools.web.backends").problem())
                .contains("at least one backend");

        String scalar = ConfigFiles.example("", "").replaceAll("web \\{ bind.*}", "web = \"127.0.0.1:8080\"");
        errorAt(scalar, "web = ", "forwarder.listeners.web");
    }

    @Test
    void twoListenersOnOneAddress() {
        String text = ConfigFiles.example("", "").replace("    web { bind",
                "    api { bind = \"127.0.0.1:8080\", pool = web }\n    web { bind");

        ConfigError error = errorAt(text, "web { bind", "forwarder.listeners.web.bind");

        assertThat(error.problem()).startsWith("listener api already binds 127.0.0.1:8080");
    }

    @Test
    void missingBindNamesTheListener() {
        String text = ConfigFiles.example("", "").replace("bind = \"127.0.0.1:8080\", ", "");

        ConfigError error = errorAt(text, "web { pool", "forwarder.listeners.web.bind");

        assertThat(error.problem()).startsWith("missing");
    }

    @Test
    void noListenerAtAll() {
        Path file = ConfigFiles.write(dir, "empty.conf", "forwarder { pools { web { backends = [\"127.0.0.1:1\"] } } }");

        ConfigError error = catchThrowableOfType(ConfigError.class, () -> ConfigLoader.load(file));

        assertThat(error.getMessage()).startsWith(file + ": forwarder.listeners: no listener defined");
    }

    @Test
    void hoconSyntaxErrorNamesFileAndLine() {
        String text = ConfigFiles.example("", "").replace("strategy = round-robin", "strategy = = round-robin");
        Path file = ConfigFiles.write(dir, "broken.conf", text);

        ConfigError error = catchThrowableOfType(ConfigError.class, () -> ConfigLoader.load(file));

        assertThat(error.file()).isEqualTo(file.toString());
        assertThat(error.line()).isEqualTo(ConfigFiles.lineOf(text, "= ="));
        assertThat(error.key()).isNull();
        assertThat(error.getMessage()).startsWith(file + ":" + error.line() + ": ");
    }

    @Test
    void requiredIncludeThatFindsNothingNamesItsLine() throws IOException {
        String file = poolWith("\"127.0.0.1:9001\"").replace("  pools {",
                "  # include required(file(\"missing.conf\")) was here\n  include required( file( \"missing.conf\" ) )\n  pools {");
        ConfigError error = errorAt(file, "required( file", null);
        assertThat(error.problem()).isEqualTo("include required( file( \"missing.conf\" ) ): no such file");

        String resource = poolWith("\"127.0.0.1:9001\"").replace("  pools {",
                "  include required(classpath(\"missing.conf\"))\n  pools {");
        assertThat(errorAt(resource, "classpath", null).problem())
                .isEqualTo("include required(classpath(\"missing.conf\")): not on the class path");

        String url = poolWith("\"127.0.0.1:9001\"").replace("  pools {",
                "  include required(url(\"file:///nonexistent/fwd.conf\"))\n  pools {");
        assertThat(errorAt(url, "url(", null).problem())
                .isEqualTo("include required(url(\"file:///nonexistent/fwd.conf\")): no such file");

        Files.createDirectory(dir.resolve("folder.conf"));
        String folder = poolWith("\"127.0.0.1:9001\"").replace("  pools {",
                "  include required(\"folder.conf\")\n  pools {");
        assertThat(errorAt(folder, "folder.conf", null).problem())
                .isEqualTo("include required(\"folder.conf\"): cannot read the file (Is a directory)");
    }

    @Test
    void requiredIncludeMissingFromAnIncludedFileNamesTheLoadedFile() {
        ConfigFiles.write(dir, "pools.conf", "include required(\"gone.conf\")\n");
        Path file = ConfigFiles.write(dir, "fwd.conf", poolWith("\"127.0.0.1:9001\"").replace("  pools {",
                "  include required(\"pools.conf\")\n  pools {"));

        ConfigError error = catchThrowableOfType(ConfigError.class, () -> ConfigLoader.load(file));

        assertThat(error.getMessage()).isEqualTo(file + ": include required(\"gone.conf\") in a file it includes:"
                + " no such file");
    }

    @Test
    void missingFileIsAClearError() {
        Path file = dir.resolve("nowhere.conf");

        ConfigError error = catchThrowableOfType(ConfigError.class, () -> ConfigLoader.load(file));

        assertThat(error.getMessage()).isEqualTo(file + ": no such file (expected: a HOCON config file)");
    }

    @Test
    void parsedTextIsNamedByItsOrigin() {
        ConfigError error = catchThrowableOfType(ConfigError.class, () -> ConfigLoader.parse(
                ConfigFiles.example(", idle-timeout = soon", ""), "inline.conf"));

        assertThat(error.getMessage()).isEqualTo("inline.conf:3: forwarder.listeners.web.idle-timeout: \"soon\""
                + " is not a duration (expected: e.g. 3s, 500ms, 10m)");
    }
}
