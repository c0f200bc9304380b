package dev.forwarder.it;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import static dev.forwarder.it.ServerContainers.HTTP_PORT;
import static dev.forwarder.it.ServerContainers.hostAddress;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The jar users run, as they run it: {@code java -jar forwarder.jar run --config FILE}, traffic through it, then
 * SIGTERM, which must end it with status 0. Failsafe passes the jar's path in {@code forwarder.jar}.
 */
@Testcontainers
class PackagedJarIT {

    private static final Duration STARTUP = Duration.ofSeconds(30);
    private static final Duration SHUTDOWN = Duration.ofSeconds(30);
    /** Kept in target/ so a failed run can be read afterwards. */
    private static final Path LOG = Path.of("target", "packaged-jar-it.log");

    @Container
    static final GenericContainer<?> NGINX_A = ServerContainers.nginx("jar-nginx-a");
    @Container
    static final GenericContainer<?> NGINX_B = ServerContainers.nginx("jar-nginx-b");

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
        int port = freeLoopbackPort();
        Path config = dir.resolve("forwarder.conf");
        Files.writeString(config, InProcessForwarder.roundRobinConfig("127.0.0.1:" + port,
                List.of(hostAddress(NGINX_A, HTTP_PORT), hostAddress(NGINX_B, HTTP_PORT))));

        Files.createDirectories(LOG.getParent());
        process = new ProcessBuilder(javaExecutable(), "-jar", jar.toString(), "run", "--config", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(LOG.toFile())
                .start();
        InetSocketAddress listener = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        // Ready once a request goes through. A bare connect-and-close probe would do, but each one leaves a
        // relayed connection open under epoll (see HalfCloseThroughForwarderIT) and SIGTERM would wait it out.
        Map<String, Integer> answersByBackend = new TreeMap<>();
        HttpProbe.Answer first = await("forwarder on " + listener + " serving").atMost(STARTUP)
                .pollInterval(Duration.ofMillis(100)).ignoreExceptionsInstanceOf(IOException.class)
                .until(() -> firstAnswer(listener), answer -> true);
        answersByBackend.merge(first.body().strip(), 1, Integer::sum);
        for (int i = 1; i < 10; i++) {
            HttpProbe.Answer answer = HttpProbe.get(listener, "/");
            assertThat(answer.status()).isEqualTo(200);
            answersByBackend.merge(answer.body().strip(), 1, Integer::sum);
        }
        assertThat(answersByBackend).containsExactly(Map.entry("jar-nginx-a", 5), Map.entry("jar-nginx-b", 5));

        process.destroy();
        assertThat(process.waitFor(SHUTDOWN.toSeconds(), TimeUnit.SECONDS))
                .as("exited within %s of SIGTERM; log:%n%s", SHUTDOWN, log()).isTrue();
        assertThat(process.exitValue()).as("exit status after SIGTERM; log:%n%s", log()).isZero();
    }

    /** One request through the forwarder; fails the wait at once if the process has already exited. */
    private HttpProbe.Answer firstAnswer(InetSocketAddress listener) throws IOException {
        if (!process.isAlive()) {
            throw new IllegalStateException("forwarder exited with status " + process.exitValue()
                    + " before serving; log:\n" + log());
        }
        HttpProbe.Answer answer = HttpProbe.get(listener, "/");
        assertThat(answer.status()).isEqualTo(200);
        return answer;
    }

    private static int freeLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String javaExecutable() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String log() throws IOException {
        return Files.exists(LOG) ? Files.readString(LOG, StandardCharsets.UTF_8) : "(no log)";
    }
}
