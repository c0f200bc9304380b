package dev.forwarder.app;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Quick mode as the original debugging proxy was used: {@code forwarder run --bind ... --backend ... --dump} as a
 * real process in front of a real HTTP server; the request's hex dump and its HTTP summary are in its output.
 */
class RunQuickModeTest {

    private static final Pattern STARTED = Pattern.compile("started listener=quick address=127\\.0\\.0\\.1:([0-9]+)");

    @TempDir
    Path dir;

    private HttpServer backend;
    private Process process;
    private Path outputFile;

    @BeforeEach
    void startBackend() throws IOException {
        backend = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 10);
        backend.createContext("/", exchange -> {
            byte[] body = "hello from the backend".getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        backend.start();
    }

    @AfterEach
    void stop() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
        }
        backend.stop(0);
    }

    private String get(int port, String path) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("GET " + path + " HTTP/1.1\r\nHost: quick.test\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        }
    }

    @Test
    void dumpPrintsTheRequestInHexWithItsHttpSummaryAndTheTimeline() throws Exception {
        process = start("run", "--bind", "127.0.0.1:0", "--backend", "127.0.0.1:" + backend.getAddress().getPort(),
                "--dump");
        int port = awaitListenerPort();

        assertThat(get(port, "/hex")).startsWith("HTTP/1.1 200 OK").endsWith("hello from the backend");

        // "GET /hex HTTP/1.1\r\n" as hexdump -C prints its first line.
        String firstLine = "00000000  47 45 54 20 2f 68 65 78  20 48 54 54 50 2f 31 2e  |GET /hex HTTP/1.|";
        await().atMost(Duration.ofSeconds(20)).until(() -> output().contains("closed reason="));
        String out = output();
        assertThat(out).contains(firstLine);
        assertThat(out).containsPattern("conn=[0-9a-f]+ up 127\\.0\\.0\\.1:[0-9]+ -> .* size=[0-9]+ offset=0\n"
                + Pattern.quote(firstLine));
        assertThat(out).contains("summary up http request=\"GET /hex HTTP/1.1\" host=quick.test");
        assertThat(out).contains("summary down http response status=200 line=\"HTTP/1.1 200 OK\"");
        assertThat(out).containsPattern("conn=[0-9a-f]+ accepted listener=quick client=127\\.0\\.0\\.1:[0-9]+");
        assertThat(out).containsPattern("conn=[0-9a-f]+ connected backend=127\\.0\\.0\\.1:"
                + backend.getAddress().getPort() + " connect_ms=[0-9.]+");
        assertThat(out).containsPattern("first-byte up after_ms=[0-9.]+");
        assertThat(out).containsPattern("first-byte down after_ms=[0-9.]+");
        assertThat(out).containsPattern("closed reason=(client|backend)-closed first=(client|backend) how=fin"
                + " bytes_up=[0-9]+ bytes_down=[0-9]+");

        process.destroy(); // SIGTERM
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("exited; output:%n%s", output()).isTrue();
        assertThat(process.exitValue()).isZero();
    }

    @Test
    void dumpSummaryPrintsSummariesAndTimelineButNoHex() throws Exception {
        process = start("run", "--bind", "127.0.0.1:0", "--backend", "127.0.0.1:" + backend.getAddress().getPort(),
                "--strategy", "least-connections", "--dump=summary");
        int port = awaitListenerPort();

        get(port, "/summary");

        await().atMost(Duration.ofSeconds(20)).until(() -> output().contains("closed reason="));
        String out = output();
        assertThat(out).contains("summary up http request=\"GET /summary HTTP/1.1\" host=quick.test");
        assertThat(out).contains("summary down http response status=200");
        assertThat(out).doesNotContain("00000000  ").doesNotContain(" size=");
        process.destroy();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void configWithBindIsAUsageError() {
        StringWriter err = new StringWriter();
        int status = Main.execute(new PrintWriter(new StringWriter()), new PrintWriter(err, true), "run", "--config",
                dir.resolve("x.conf").toString(), "--bind", "127.0.0.1:9528", "--backend", "127.0.0.1:30000");
        assertThat(status).isEqualTo(Main.CONFIG_ERROR);
        assertThat(err.toString()).contains("--config and --bind exclude each other");

        StringWriter noBackend = new StringWriter();
        assertThat(Main.execute(new PrintWriter(new StringWriter()), new PrintWriter(noBackend, true), "run",
                "--bind", "127.0.0.1:9528")).isEqualTo(Main.CONFIG_ERROR);
        assertThat(noBackend.toString()).contains("--bind needs at least one --backend");

        StringWriter badDump = new StringWriter();
        assertThat(Main.execute(new PrintWriter(new StringWriter()), new PrintWriter(badDump, true), "run",
                "--bind", "127.0.0.1:9528", "--backend", "127.0.0.1:1", "--dump=everything"))
                .isEqualTo(Main.CONFIG_ERROR);
        assertThat(badDump.toString()).contains("expected --dump or --dump=summary");
    }

    @Test
    void aBadQuickModeAddressIsAConfigError() {
        StringWriter err = new StringWriter();
        int status = Main.execute(new PrintWriter(new StringWriter()), new PrintWriter(err, true), "run", "--bind",
                "127.0.0.1:9528", "--backend", "127.0.0.1");
        assertThat(status).isEqualTo(Main.CONFIG_ERROR);
        assertThat(err.toString()).contains("forwarder.pools.quick.backends[0]").contains("is not host:port");
    }

    private Process start(String... args) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx128m", "-XX:TieredStopAtLevel=1"));
        String logback = System.getProperty("logback.configurationFile");
        if (logback != null) {
            command.add("-Dlogback.configurationFile=" + logback);
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        outputFile = dir.resolve("forwarder.out");
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(outputFile.toFile()).start();
    }

    private String output() throws IOException {
        return Files.readString(outputFile, StandardCharsets.UTF_8);
    }

    private int awaitListenerPort() throws IOException {
        await().atMost(Duration.ofSeconds(60)).until(() -> STARTED.matcher(output()).find() || !process.isAlive());
        Matcher matcher = STARTED.matcher(output());
        assertThat(matcher.find()).as("listener started; output:%n%s", output()).isTrue();
        return Integer.parseInt(matcher.group(1));
    }
}
