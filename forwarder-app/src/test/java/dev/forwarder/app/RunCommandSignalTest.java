package dev.forwarder.app;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code forwarder run} as a real process: SIGTERM stops accepting, lets the open connection finish (or cuts it
 * when the shutdown-timeout ends), exits 0; SIGHUP reloads the file in place; the log format; relative paths. Started from the test class path, since the shaded jar does not exist yet in the test phase.
 */
class RunCommandSignalTest {

    private static final Pattern STARTED = Pattern.compile("started listener=web address=127\\.0\\.0\\.1:([0-9]+)");

    @TempDir
    Path dir;

    private Path outputFile;
    private Process process;

    @AfterEach
    void killProcess() {
        if (process != null && process.isAlive()) {
            process.destroyForcibly();
        }
    }

    @Test
    void sigtermLetsTheOpenConnectionFinishThenExitsZero() throws Exception {
        CountDownLatch requestSeen = new CountDownLatch(1);
        CountDownLatch answerNow = new CountDownLatch(1);
        try (ServerSocket backend = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            // Answers the one relayed connection only when the test says so: after SIGTERM.
            CompletableFuture<Void> backendDone = CompletableFuture.runAsync(() -> {
                try (Socket socket = backend.accept()) {
                    BufferedReader in = new BufferedReader(
                            new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
                    assertThat(in.readLine()).isEqualTo("ping");
                    requestSeen.countDown();
                    answerNow.await();
                    socket.getOutputStream().write("pong\n".getBytes(StandardCharsets.US_ASCII));
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            Path config = Files.writeString(dir.resolve("fwd.conf"), """
                    forwarder {
                      shutdown-timeout = 30s
                      listeners { web { bind = "127.0.0.1:0", pool = web } }
                      pools { web { backends = [ "127.0.0.1:%d" ] } }
                    }
                    """.formatted(backend.getLocalPort()));
            process = start("run", "--config", config.toString());
            int port = awaitListenerPort();

            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
                client.setSoTimeout(10_000);
                OutputStream out = client.getOutputStream();
                out.write("ping\n".getBytes(StandardCharsets.US_ASCII));
                out.flush();
                assertThat(requestSeen.await(10, TimeUnit.SECONDS)).isTrue();

                process.destroy(); // SIGTERM on Linux
                await().atMost(Duration.ofSeconds(10)).until(() -> output().contains("signal=SIGTERM"));
                await().atMost(Duration.ofSeconds(10)).until(() -> refuses(port));
                assertThat(process.isAlive()).as("still draining the open connection").isTrue();

                answerNow.countDown();
                BufferedReader in = new BufferedReader(
                        new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII));
                assertThat(in.readLine()).isEqualTo("pong");
                assertThat(in.read()).as("end of stream once the backend closed").isEqualTo(-1);
            }
            backendDone.get(10, TimeUnit.SECONDS);
        }

        assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("exited; output:%n%s", output()).isTrue();
        assertThat(process.exitValue()).as("exit status; output:%n%s", output()).isZero();
        assertThat(output()).contains("stopped connections_cut=0");
    }

    @Test
    void sighupReloadsTheFileInPlaceAndTheOpenConnectionCarriesOn() throws Exception {
        try (EchoBackend first = EchoBackend.start(); EchoBackend second = EchoBackend.start()) {
            Path config = dir.resolve("fwd.conf");
            String text = """
                    forwarder {
                      shutdown-timeout = 5s
                      listeners { web { bind = "127.0.0.1:0", pool = web } }
                      pools { web { backends = [ "127.0.0.1:%d" ] } }
                    }
                    """;
            Files.writeString(config, text.formatted(first.port()));
            process = start("run", "--config", config.toString());
            int port = awaitListenerPort();

            try (Socket open = new Socket(InetAddress.getLoopbackAddress(), port)) {
                open.setSoTimeout(10_000);
                BufferedReader openIn = new BufferedReader(
                        new InputStreamReader(open.getInputStream(), StandardCharsets.US_ASCII));
                assertThat(echo(open, openIn, "before")).isEqualTo("before");

                Files.writeString(config, text.formatted(second.port()));
                signal("HUP");
                try {
                    // 20 s: a loaded 2-core CI machine (other builds beside it) once took longer than 10.
                    await().atMost(Duration.ofSeconds(20)).until(() -> output().contains("reloaded config=")
                            || !process.isAlive());
                } catch (ConditionTimeoutException e) {
                    throw new AssertionError("no reload line 20 s after SIGHUP; output:%n%s".formatted(output()), e);
                }
                assertThat(process.isAlive()).as("alive after SIGHUP; output:%n%s", output()).isTrue();
                assertThat(output()).contains("added=[127.0.0.1:" + second.port() + "]",
                        "removed=[127.0.0.1:" + first.port() + "]");

                try (Socket fresh = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    fresh.setSoTimeout(10_000);
                    BufferedReader freshIn = new BufferedReader(
                            new InputStreamReader(fresh.getInputStream(), StandardCharsets.US_ASCII));
                    assertThat(echo(fresh, freshIn, "after")).isEqualTo("after");
                }
                assertThat(second.accepted()).as("the new connection went to the new backend").isEqualTo(1);
                assertThat(echo(open, openIn, "still")).as("the connection from before the reload").isEqualTo("still");

                Files.writeString(config, "forwarder { listeners { web { bind = 7 } } }");
                signal("HUP");
                await().atMost(Duration.ofSeconds(10)).until(() -> output().contains("reload refused config="));
                assertThat(output()).contains("error=\"config error: " + config + ":1: forwarder.listeners.web.bind");
                assertThat(echo(open, openIn, "kept")).isEqualTo("kept");
            }
        }

        process.destroy(); // SIGTERM on Linux
        assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("exited; output:%n%s", output()).isTrue();
        assertThat(process.exitValue()).as("exit status; output:%n%s", output()).isZero();
    }

    @Test
    void sigtermCutsWhatIsStillOpenWhenTheShutdownTimeoutEndsAndExitsZero() throws Exception {
        try (ServerSocket backend = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            // Takes the connection and never answers or closes it.
            CompletableFuture<Socket> held = CompletableFuture.supplyAsync(() -> {
                try {
                    return backend.accept();
                } catch (IOException e) {
                    throw new IllegalStateException(e);
                }
            });
            Path config = Files.writeString(dir.resolve("fwd.conf"), """
                    forwarder {
                      shutdown-timeout = 1s
                      listeners { web { bind = "127.0.0.1:0", pool = web } }
                      pools { web { backends = [ "127.0.0.1:%d" ] } }
                    }
                    """.formatted(backend.getLocalPort()));
            process = start("run", "--config", config.toString());
            int port = awaitListenerPort();

            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port);
                    Socket backendSide = held.get(10, TimeUnit.SECONDS)) {
                client.setSoTimeout(10_000);
                long signalled = System.nanoTime();
                process.destroy(); // SIGTERM on Linux
                assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("exited; output:%n%s", output()).isTrue();
                long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled);
                assertThat(process.exitValue()).as("exit status; output:%n%s", output()).isZero();
                assertThat(tookMs).as("waited the shutdown-timeout, not much longer").isBetween(900L, 10_000L);
                assertThat(output()).contains("stopped connections_cut=1");
                assertThat(readsToTheEnd(client)).as("the client's connection was cut").isTrue();
                backendSide.setSoTimeout(10_000);
                assertThat(readsToTheEnd(backendSide)).as("the backend's connection was cut").isTrue();
            }
        }
    }

    @Test
    void jsonLogFormatWritesOneObjectPerLineAndKeepsTheCloseLinesFields() throws Exception {
        try (EchoBackend backend = EchoBackend.start()) {
            Path config = Files.writeString(dir.resolve("fwd.conf"), """
                    forwarder {
                      shutdown-timeout = 5s
                      log.format = json
                      listeners { web { bind = "127.0.0.1:0", pool = web } }
                      pools { web { backends = [ "127.0.0.1:%d" ] } }
                    }
                    """.formatted(backend.port()));
            // The bundled logback.xml, as users run it: not the tests' logback.configurationFile.
            process = start(false, "run", "--config", config.toString());
            Pattern started = Pattern.compile("\"formattedMessage\":\"started listener=web address=127\\.0\\.0\\.1:([0-9]+)");
            await().atMost(Duration.ofSeconds(30)).until(() -> started.matcher(output()).find() || !process.isAlive());
            Matcher matcher = started.matcher(output());
            assertThat(matcher.find()).as("listener started; output:%n%s", output()).isTrue();
            int port = Integer.parseInt(matcher.group(1));
            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
                client.setSoTimeout(10_000);
                BufferedReader in = new BufferedReader(
                        new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII));
                assertThat(echo(client, in, "ping")).isEqualTo("ping");
            }
        }
        process.destroy();
        assertThat(process.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("exit status; output:%n%s", output()).isZero();

        List<String> lines = output().lines().toList();
        assertThat(lines).isNotEmpty().allSatisfy(line -> assertThat(line).startsWith("{\"timestamp\":").endsWith("}"));
        assertThat(lines).filteredOn(line -> line.contains("\"formattedMessage\":\"close conn=")).singleElement()
                .satisfies(close -> assertThat(close).contains("\"loggerName\":\"dev.forwarder.connection\"",
                        // The line is built whole (no template), so message and formattedMessage are the same.
                        "\"message\":\"close conn=1 listener=web client=127.0.0.1:",
                        "bytes_up=5 bytes_down=5 duration_ms=", " reason=", " first_close="));
    }

    @Test
    void aBareRelativeConfigFileFindsItsIncludesNextToIt() throws Exception {
        Files.writeString(dir.resolve("fwd.conf"), """
                forwarder {
                  listeners { web { bind = "127.0.0.1:0", pool = web } }
                  include "pools.conf"
                }
                """);
        Files.writeString(dir.resolve("pools.conf"), "pools { web { backends = [ \"127.0.0.1:9\" ] } }\n");
        process = start(true, dir, "check", "--config", "fwd.conf");
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("exit status; output:%n%s", output()).isZero();
        assertThat(output()).contains("address = \"127.0.0.1:9\"");
    }

    private static String echo(Socket socket, BufferedReader in, String line) throws IOException {
        socket.getOutputStream().write((line + "\n").getBytes(StandardCharsets.US_ASCII));
        return in.readLine();
    }

    /** True when the peer ended the stream, by a FIN or a reset, within the socket's timeout. */
    private static boolean readsToTheEnd(Socket socket) {
        try {
            return socket.getInputStream().read() < 0;
        } catch (java.net.SocketException reset) {
            return true;
        } catch (IOException timeout) {
            return false;
        }
    }

    /** Sends {@code SIGname} to the forwarder: {@link Process} itself sends only TERM and KILL. */
    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).as("kill -%s", name).isZero();
    }

    private Process start(String... args) throws IOException {
        return start(true, args);
    }

    private Process start(boolean testLogging, String... args) throws IOException {
        return start(testLogging, null, args);
    }

    /** With {@code testLogging}, the tests' logback configuration; {@code workDir} null: this JVM's. */
    private Process start(boolean testLogging, Path workDir, String... args) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> command = new ArrayList<>(List.of(java, "-Xmx128m", "-XX:TieredStopAtLevel=1"));
        String logback = System.getProperty("logback.configurationFile");
        if (logback != null && testLogging) {
            command.add("-Dlogback.configurationFile=" + Path.of(logback).toAbsolutePath());
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        // To a file: Process.destroy() closes the pipes, and the output after SIGTERM is what the test checks.
        outputFile = dir.resolve("forwarder.out");
        return new ProcessBuilder(command).directory(workDir == null ? null : workDir.toFile())
                .redirectErrorStream(true).redirectOutput(outputFile.toFile()).start();
    }

    private String output() throws IOException {
        return Files.readString(outputFile, StandardCharsets.UTF_8);
    }

    private int awaitListenerPort() throws IOException {
        await().atMost(Duration.ofSeconds(30)).until(() -> STARTED.matcher(output()).find() || !process.isAlive());
        Matcher matcher = STARTED.matcher(output());
        assertThat(matcher.find()).as("listener started; output:%n%s", output()).isTrue();
        return Integer.parseInt(matcher.group(1));
    }

    private static boolean refuses(int port) {
        try (Socket probe = new Socket()) {
            probe.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1000);
            return false;
        } catch (ConnectException refused) {
            return true;
        } catch (IOException other) {
            return false;
        }
    }
}
