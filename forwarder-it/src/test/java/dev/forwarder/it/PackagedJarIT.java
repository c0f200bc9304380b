package dev.forwarder.it;

import dev.forwarder.it.support.Backends;
import dev.forwarder.it.support.Http;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static dev.forwarder.it.support.Backends.HTTP_PORT;
import static dev.forwarder.it.support.Backends.hostAddress;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The jar users run, as they run it: {@code java -jar forwarder.jar run --config FILE}, traffic through it, then
 * SIGTERM, which must end it with status 0. Failsafe passes the jar's path in {@code forwarder.jar}.
 */
@Testcontainers
class PackagedJarIT {

    private static final Duration STARTUP = Duration.ofSeconds(30);
    /** Well under the default 30 s shutdown-timeout: with no connection open, SIGTERM must end it at once. */
    private static final Duration SHUTDOWN = Duration.ofSeconds(10);
    /** Kept in target/ so a failed run can be read afterwards. */
    private static final Path LOG = Path.of("target", "packaged-jar-it.log");

    @Container
    static final GenericContainer<?> NGINX_A = Backends.nginx("jar-nginx-a");
    @Container
    static final GenericContainer<?> NGINX_B = Backends.nginx("jar-nginx-b");

    private Process process;

    @AfterEach
    void killLeftover() throws InterruptedException {
        if (process != null && process.isAlive()) {
            process.destroyForcibly().waitFor(SHUTDOWN.toSeconds(), TimeUnit.SECONDS);
        }
    }

    @Test
    void runsFromConfigFileBalancesAndExitsZeroOnSigterm(@TempDir Path dir) throws Exception {
        Path jar = Path.of(System.getProperty("forwarder.jar", "../forwarder-app/target/forwarder.jar"));
        assertThat(jar).as("the packaged jar (built in the package phase)").isRegularFile();
        int port = PortProbe.unusedLoopbackPort();
        Path config = dir.resolve("forwarder.conf");
        Files.writeString(config, InProcessForwarder.roundRobinConfig("127.0.0.1:" + port,
                List.of(hostAddress(NGINX_A, HTTP_PORT), hostAddress(NGINX_B, HTTP_PORT))));

        Files.createDirectories(LOG.getParent());
        process = new ProcessBuilder(javaExecutable(), "-jar", jar.toString(), "run", "--config", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(LOG.toFile())
                .start();
        InetSocketAddress listener = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        await("listener " + listener + " accepting").atMost(STARTUP).pollInterval(Duration.ofMillis(100))
                .until(() -> accepts(listener));

        Map<String, Integer> answersByBackend = new TreeMap<>();
        for (int i = 0; i < 10; i++) {
            Http.Answer answer = Http.get(listener, "/");
            assertThat(answer.status()).isEqualTo(200);
            answersByBackend.merge(answer.body().strip(), 1, Integer::sum);
        }
        // The one accepted readiness probe took a round-robin turn too, at a moment the requests do not control:
        // 11 picks over two backends leave 5/5 or 6/4 for the requests (RoundRobinHttpIT checks exact splits).
        assertThat(answersByBackend).containsOnlyKeys("jar-nginx-a", "jar-nginx-b")
                .allSatisfy((backend, answers) -> assertThat(answers).isBetween(4, 6));

        process.destroy();
        boolean exited = process.waitFor(SHUTDOWN.toSeconds(), TimeUnit.SECONDS);
        assertThat(exited).as(() -> "exited within " + SHUTDOWN + " of SIGTERM; log:\n" + log()).isTrue();
        assertThat(process.exitValue()).as(() -> "exit status after SIGTERM; log:\n" + log()).isZero();
    }

    /** True once the listener accepts; fails the wait at once if the process has already exited. */
    private boolean accepts(InetSocketAddress listener) throws IOException {
        if (!process.isAlive()) {
            throw new IllegalStateException("forwarder exited with status " + process.exitValue()
                    + " before listening; log:\n" + log());
        }
        // Connect and close at once, as a TCP health check does: the relayed connection this opens must end
        // too, or SIGTERM below would wait for it until the shutdown timeout.
        try (Socket probe = new Socket()) {
            probe.connect(listener, 500);
            return true;
        } catch (IOException notYet) {
            return false;
        }
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String log() {
        try {
            return Files.readString(LOG, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
