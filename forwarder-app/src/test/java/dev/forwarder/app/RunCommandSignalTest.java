package dev.forwarder.app;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
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
 * {@code forwarder run} as a real process: SIGTERM stops accepting, lets the open connection finish, exits 0;
 * SIGHUP changes nothing. Started from the test class path, since the shaded jar does not exist yet in the test phase.
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
    void sighupIsLoggedAndIgnoredWhileTheRelayCarriesOn() throws Exception {
        try (EchoBackend backend = EchoBackend.start()) {
            Path config = Files.writeString(dir.resolve("fwd.conf"), """
                    forwarder {
                      shutdown-timeout = 5s
                      listeners { web { bind = "127.0.0.1:0", pool = web } }
                      pools { web { backends = [ "127.0.0.1:%d" ] } }
                    }
                    """.formatted(backend.port()));
            process = start("run", "--config", config.toString());
            int port = awaitListenerPort();

            signal("HUP");
            await().atMost(Duration.ofSeconds(10)).until(() -> output().contains("signal=SIGHUP") || !process.isAlive());
            assertThat(process.isAlive()).as("alive after SIGHUP; exit status %s, output:%n%s",
                    process.isAlive() ? "none" : process.exitValue(), output()).isTrue();
            assertThat(output()).contains("received signal=SIGHUP, ignoring: reload is not supported yet");

            try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
                client.setSoTimeout(10_000);
                client.getOutputStream().write("ping\n".getBytes(StandardCharsets.US_ASCII));
                BufferedReader in = new BufferedReader(
                        new InputStreamReader(client.getInputStream(), StandardCharsets.US_ASCII));
                assertThat(in.readLine()).as("echoed through the forwarder").isEqualTo("ping");
            }
        }

        process.destroy(); // SIGTERM on Linux
        assertThat(process.waitFor(20, TimeUnit.SECONDS)).as("exited; output:%n%s", output()).isTrue();
        assertThat(process.exitValue()).as("exit status; output:%n%s", output()).isZero();
    }

    /** Sends {@code SIGname} to the forwarder: {@link Process} itself sends only TERM and KILL. */
    private void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).as("kill -%s", name).isZero();
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
        // To a file: Process.destroy() closes the pipes, and the output after SIGTERM is what the test checks.
        outputFile = dir.resolve("forwarder.out");
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(outputFile.toFile()).start();
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
