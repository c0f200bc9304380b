package dev.forwarder.app.capture;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.sun.net.httpserver.HttpServer;
import dev.forwarder.app.Forwarder;
import dev.forwarder.app.config.ConfigLoader;
import dev.forwarder.core.ConnectionSnapshot;
import dev.forwarder.core.Transport;
import dev.forwarder.core.relay.Pipelines;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.awaitility.Awaitility.await;

/**
 * {@code capture.summary = on} with real clients (Debian's curl, openssl, redis-cli and pg_isready, and grpc-java):
 * the connection log's close line and the live connection's snapshot name what the peers said. A missing program
 * fails the test (scripts/test-tools.sh installs them).
 */
class SummaryClientsTest {

    @TempDir
    Path dir;

    private final ListAppender<ILoggingEvent> log = new ListAppender<>();
    private final Logger connectionLog = (Logger) LoggerFactory.getLogger("dev.forwarder.connection");
    private Level levelBefore;
    private final List<Process> processes = new ArrayList<>();

    @BeforeEach
    void listen() {
        log.start();
        connectionLog.addAppender(log);
        levelBefore = connectionLog.getLevel();
        connectionLog.setLevel(Level.INFO);
    }

    @AfterEach
    void stop() throws InterruptedException {
        connectionLog.detachAppender(log);
        connectionLog.setLevel(levelBefore);
        for (Process process : processes) {
            process.destroy();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }

    private static Forwarder forwarder(int backendPort, String strategy) throws Exception {
        return Forwarder.start(ConfigLoader.parse("""
                forwarder {
                  io-threads = 1
                  shutdown-timeout = 2s
                  listeners { t { bind = "127.0.0.1:0", pool = p, capture { summary = on } } }
                  pools { p { strategy = %s, backends = [ "127.0.0.1:%d" ] } }
                }
                """.formatted(strategy, backendPort), "test"));
    }

    /** The close line of the connection log that contains {@code text}, once it was logged. */
    private String closeLine(String text) {
        await().atMost(Duration.ofSeconds(20)).until(() -> closeLines().stream().anyMatch(l -> l.contains(text)));
        return closeLines().stream().filter(l -> l.contains(text)).findFirst().orElseThrow();
    }

    private List<String> closeLines() {
        synchronized (log) {
            return List.copyOf(log.list).stream().map(ILoggingEvent::getFormattedMessage)
                    .filter(m -> m.startsWith("close ")).toList();
        }
    }

    private record Run(int exit, String out) {
    }

    /** Runs a program to its end (at most 30 s), stdin empty, stderr with stdout. */
    private static Run run(Map<String, String> env, String... command) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        builder.environment().putAll(env);
        Process process = builder.start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                return e.toString();
            }
        });
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("did not end in 30 s: " + List.of(command));
        }
        return new Run(process.exitValue(), out.get(10, TimeUnit.SECONDS));
    }

    /** Starts a server program and waits until its stdout (with stderr) shows {@code ready}. */
    private Process server(String ready, String... command) throws Exception {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        processes.add(process);
        CompletableFuture<Boolean> seen = CompletableFuture.supplyAsync(() -> {
            try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(),
                    StandardCharsets.UTF_8))) {
                boolean found = false;
                for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                    found |= line.contains(ready);
                    if (found) {
                        // Keep reading so the server never blocks on a full pipe; the future completes now.
                        return true;
                    }
                }
                return false;
            } catch (IOException e) {
                return false;
            }
        });
        assertThat(seen.get(30, TimeUnit.SECONDS)).as("%s started", List.of(command)).isTrue();
        return process;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    @Test
    void curlRequestLineHostAndStatus() throws Exception {
        HttpServer backend = TestServers.http();
        try (Forwarder forwarder = forwarder(backend.getAddress().getPort(), "round-robin")) {
            int port = forwarder.listenerAddress("t").getPort();
            Run curl = run(Map.of(), "curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}",
                    "http://127.0.0.1:" + port + "/hello");
            assertThat(curl.out()).isEqualTo("200");
            assertThat(closeLine("summary=")).contains(" summary=\"http request=\\\"GET /hello HTTP/1.1\\\" host=127.0.0.1:"
                    + port + "; http response status=200 line=\\\"HTTP/1.1 200 OK\\\"\"");
        } finally {
            backend.stop(0);
        }
    }

    @Test
    void opensslClientHelloSniAndAlpn() throws Exception {
        Path key = dir.resolve("key.pem");
        Path cert = dir.resolve("cert.pem");
        Run made = run(Map.of(), "openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", key.toString(), "-out", cert.toString(),
                "-days", "1", "-subj", "/CN=api.example.test");
        assertThat(made.exit()).as(made.out()).isZero();
        int backendPort = freePort();
        server("ACCEPT", "openssl", "s_server", "-accept", "127.0.0.1:" + backendPort, "-cert", cert.toString(),
                "-key", key.toString(), "-alpn", "h2,http/1.1");
        try (Forwarder forwarder = forwarder(backendPort, "round-robin")) {
            int port = forwarder.listenerAddress("t").getPort();
            Run client = run(Map.of(), "openssl", "s_client", "-connect", "127.0.0.1:" + port, "-servername",
                    "api.example.test", "-alpn", "h2,http/1.1");
            assertThat(client.out()).contains("ALPN protocol: h2");
            assertThat(closeLine("summary=")).contains(
                    " summary=\"tls client-hello sni=api.example.test alpn=h2,http/1.1; tls server-hello");
        }
    }

    @Test
    void redisCliCommandAndReply() throws Exception {
        int redisPort = freePort();
        server("Ready to accept connections", "redis-server", "--port", Integer.toString(redisPort), "--bind",
                "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString());
        try (Forwarder forwarder = forwarder(redisPort, "round-robin")) {
            int port = forwarder.listenerAddress("t").getPort();
            Run set = run(Map.of(), "redis-cli", "-h", "127.0.0.1", "-p", Integer.toString(port), "SET", "greeting",
                    "hello");
            assertThat(set.out().trim()).isEqualTo("OK");
            assertThat(closeLine("summary=")).contains(" summary=\"redis command=SET args=2; redis reply=\\\"+OK\\\"\"");
        }
    }

    @Test
    void pgIsreadyStartupMessageUserAndDatabase() throws Exception {
        try (TestServers.Echo echo = new TestServers.Echo();
                Forwarder forwarder = forwarder(echo.port(), "round-robin")) {
            int port = forwarder.listenerAddress("t").getPort();
            // No real server is needed for the startup message: pg_isready sends it to whatever answers.
            Run ready = run(Map.of("PGSSLMODE", "disable", "PGGSSENCMODE", "disable", "PGCONNECT_TIMEOUT", "10"),
                    "pg_isready", "-h", "127.0.0.1", "-p", Integer.toString(port), "-U", "alice", "-d", "orders");
            assertThat(ready.out()).contains("127.0.0.1:" + port);
            assertThat(closeLine("summary=")).contains(" summary=\"postgres startup protocol=3.0 user=alice")
                    .contains(" database=orders");
        }
    }

    @Test
    void grpcMethodAndStatusInTheLogAndTheLiveSnapshot() throws Exception {
        try (GrpcEcho backend = new GrpcEcho();
                Forwarder forwarder = forwarder(backend.port(), "least-connections")) {
            int port = forwarder.listenerAddress("t").getPort();
            ManagedChannel channel = GrpcEcho.channel(port);
            try {
                assertThat(GrpcEcho.call(channel, GrpcEcho.SAY, "hi".getBytes(StandardCharsets.US_ASCII)))
                        .asString(StandardCharsets.US_ASCII).isEqualTo("hi");
                // Still open: the live connection carries its summary and why its backend was chosen.
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    List<ConnectionSnapshot> open = forwarder.listener("t").connections();
                    assertThat(open).hasSize(1);
                    assertThat(open.get(0).summary()).isEqualTo("grpc method=/echo.Echo/Say authority=127.0.0.1:"
                            + port + " stream=3; grpc status=200 grpc-status=0");
                    assertThat(open.get(0).choice()).isEqualTo("least-connections active=0 lowest_of=1 highest=0");
                });
            } finally {
                GrpcEcho.shutdown(channel);
            }
            assertThat(closeLine("grpc-status=0")).contains(" summary=\"grpc method=/echo.Echo/Say");

            ManagedChannel failing = GrpcEcho.channel(port);
            try {
                StatusRuntimeException failed = catchThrowableOfType(StatusRuntimeException.class,
                        () -> GrpcEcho.call(failing, GrpcEcho.MISSING, new byte[0]));
                assertThat(failed.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
            } finally {
                GrpcEcho.shutdown(failing);
            }
            assertThat(closeLine("grpc-status=5")).contains(" summary=\"grpc method=/echo.Echo/Missing")
                    .contains("grpc-status=5 grpc-message=\\\"no such thing\\\"\"");
        }
    }

    @Test
    void dumpSummaryShowsTheGrpcMethodItsStatusAndWhyTheBackendWasChosen() throws Exception {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        java.io.PrintStream out = new java.io.PrintStream(bytes, true, StandardCharsets.UTF_8);
        try (GrpcEcho one = new GrpcEcho(); GrpcEcho two = new GrpcEcho()) {
            Dump dump = Dump.to(DumpMode.SUMMARY, out);
            try (Forwarder forwarder = Forwarder.start(ConfigLoader.parse("""
                    forwarder {
                      io-threads = 1
                      shutdown-timeout = 2s
                      listeners { g { bind = "127.0.0.1:0", pool = p } }
                      pools { p { strategy = random-two, backends = [ "127.0.0.1:%d", "127.0.0.1:%d" ] } }
                    }
                    """.formatted(one.port(), two.port()), "test"), dump)) {
                ManagedChannel channel = GrpcEcho.channel(forwarder.listenerAddress("g").getPort());
                try {
                    GrpcEcho.call(channel, GrpcEcho.SAY, "x".getBytes(StandardCharsets.US_ASCII));
                } finally {
                    GrpcEcho.shutdown(channel);
                }
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> bytes.toString(StandardCharsets.UTF_8).contains("closed reason="));
            }
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text).containsPattern("conn=[0-9a-f]+ connected backend=127\\.0\\.0\\.1:[0-9]+ connect_ms=[0-9.]+ "
                + "local=127\\.0\\.0\\.1:[0-9]+ choice=\"random-two candidates=127\\.0\\.0\\.1:[0-9]+\\(active=0\\),"
                + "127\\.0\\.0\\.1:[0-9]+\\(active=0\\)\"\n");
        assertThat(text).containsPattern("summary up grpc method=/echo\\.Echo/Say authority=127\\.0\\.0\\.1:[0-9]+ "
                + "stream=3\n");
        assertThat(text).contains("summary down grpc status=200 grpc-status=0\n");
        assertThat(text).doesNotContain("00000000  ");
    }

    @Test
    void summaryLeavesTheConnectionOnceKnownSoItSplicesAgainWithThePlainPipeline() throws Exception {
        try (TestServers.Echo echo = new TestServers.Echo();
                Forwarder forwarder = forwarder(echo.port(), "round-robin")) {
            try (Socket socket = new Socket(InetAddress.getLoopbackAddress(),
                    forwarder.listenerAddress("t").getPort())) {
                socket.setSoTimeout(20_000);
                byte[] head = "GET /x HTTP/1.1\r\nHost: h\r\n\r\n".getBytes(StandardCharsets.US_ASCII);
                assertThat(exchange(socket, head)).isEqualTo(head);
                byte[] bulk = new byte[4 << 20];
                new Random(4).nextBytes(bulk);
                assertThat(exchange(socket, bulk)).isEqualTo(bulk);
                ConnectionSnapshot snapshot = forwarder.listener("t").connections().get(0);
                assertThat(snapshot.summary()).isEqualTo("http request=\"GET /x HTTP/1.1\" host=h");
                assertThat(forwarder.listener("t").clientChannels().get(0).pipeline().names())
                        .startsWith(Pipelines.RELAY);
                if (forwarder.relay().transport() == Transport.EPOLL) {
                    assertThat(snapshot.bytesSpliced()).as("left after the summary: bulk bytes splice").isPositive();
                }
            }
        }
    }

    private static byte[] exchange(Socket socket, byte[] data) throws Exception {
        OutputStream out = socket.getOutputStream();
        CompletableFuture<Void> sending = CompletableFuture.runAsync(() -> {
            try {
                out.write(data);
                out.flush();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        byte[] back = new byte[data.length];
        new java.io.DataInputStream(socket.getInputStream()).readFully(back);
        sending.get(20, TimeUnit.SECONDS);
        return back;
    }
}
