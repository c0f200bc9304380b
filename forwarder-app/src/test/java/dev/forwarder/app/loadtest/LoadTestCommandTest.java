package dev.forwarder.app.loadtest;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import dev.forwarder.app.Main;
import dev.forwarder.core.Transport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code forwarder loadtest} through the command line: JSON, hgrm, usage errors. */
class LoadTestCommandTest {

    private static EchoServer echo;

    @TempDir
    Path dir;

    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();

    @BeforeAll
    static void startEcho() {
        echo = EchoServer.start(new InetSocketAddress("127.0.0.1", 0), false, 1, Transport.AUTO);
    }

    @AfterAll
    static void stopEcho() {
        echo.close();
    }

    private int run(String... args) {
        return Main.execute(new PrintWriter(out, true), new PrintWriter(err, true), args);
    }

    private String target() {
        return "127.0.0.1:" + echo.address().getPort();
    }

    @Test
    void jsonSummaryParsesAndHgrmIsWritten() throws IOException {
        Path hgrm = dir.resolve("rr.hgrm");
        int status = run("loadtest", "--target", target(), "--connections", "2", "--duration", "1s",
                "--size", "1KiB", "--threads", "1", "--json", "--hgrm", hgrm.toString());

        assertThat(status).as(err.toString()).isZero();
        Config json = ConfigFactory.parseString(out.toString(), ConfigParseOptions.defaults()
                .setSyntax(ConfigSyntax.JSON));
        assertThat(json.getString("mode")).isEqualTo("rr");
        assertThat(json.getInt("size_bytes")).isEqualTo(1024);
        assertThat(json.getLong("requests")).isPositive();
        assertThat(json.getLong("errors_total")).isZero();
        assertThat(json.getConfig("errors").isEmpty()).isTrue();
        assertThat(json.getDouble("latency_us.p99_9")).isPositive();
        assertThat(json.getDouble("latency_us.max")).isGreaterThanOrEqualTo(json.getDouble("latency_us.p50"));
        assertThat(Files.readString(hgrm)).contains("Value", "Percentile", "#[Max");
        assertThat(err.toString()).contains("[  1.0s] rr ");
    }

    @Test
    void noAnswerAtAllExitsOne() throws IOException {
        int port;
        try (var probe = new java.net.ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        int status = run("loadtest", "--target", "127.0.0.1:" + port, "--duration", "500ms", "--quiet", "--json");

        assertThat(status).isEqualTo(1);
        Config json = ConfigFactory.parseString(out.toString(), ConfigParseOptions.defaults()
                .setSyntax(ConfigSyntax.JSON));
        assertThat(json.getLong("errors.connect-refused")).isPositive();
        assertThat(json.getIsNull("latency_us")).isTrue();
    }

    @Test
    void badUsageExitsTwoAndSaysWhy() {
        assertThat(run("loadtest", "--target", "127.0.0.1:1", "--duration", "10")).isEqualTo(Main.CONFIG_ERROR);
        assertThat(err.toString()).contains("\"10\" is not a duration");
        assertThat(run("loadtest", "--target", "127.0.0.1:1", "--mode", "bulk", "--rate", "10"))
                .isEqualTo(Main.CONFIG_ERROR);
        assertThat(err.toString()).contains("--rate: 10.0 (expected: no rate in bulk mode)");
        assertThat(run("loadtest", "--mode", "rr")).isEqualTo(Main.CONFIG_ERROR);
        assertThat(err.toString()).contains("Missing required option: '--target=HOST:PORT'");
    }

    @Test
    void bothCommandsHaveHelp() {
        assertThat(run("loadtest", "--help")).isZero();
        assertThat(run("echo-server", "--help")).isZero();
        assertThat(out.toString()).contains("Usage: forwarder loadtest", "Usage: forwarder echo-server");
    }
}
