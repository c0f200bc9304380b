package dev.forwarder.it.ops;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Volume;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.output.Slf4jLogConsumer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The image the project ships: built from the root {@code Dockerfile} (with the jar of this build), run with a config
 * mounted at {@code /etc/forwarder/forwarder.conf} in front of an echo container on a shared network. A transfer
 * goes through it, its admin port's {@code /readyz} answers 200, and {@code docker stop} during a transfer turns
 * {@code /readyz} to 503 at once and lets that transfer finish (SIGTERM: accepting stops, open connections get
 * {@code shutdown-timeout}) and ends the container with status 0 well within the timeout.
 */
@Testcontainers
class PackagedImageIT {

    private static final int LISTENER_PORT = 8080;
    private static final int ADMIN_PORT = 9901;
    private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(20);
    private static final Network NETWORK = Network.newNetwork();

    @Container
    static final GenericContainer<?> ECHO = HostnameEcho.create("image-echo")
            .withNetwork(NETWORK)
            .withNetworkAliases("echo");

    /** The root Dockerfile with the jar at the path it copies from; nothing else in the build context. */
    static ImageFromDockerfile projectImage() {
        Path root = Path.of("..").toAbsolutePath().normalize();
        Path jar = Path.of(System.getProperty("forwarder.jar", "../forwarder-app/target/forwarder.jar"));
        assertThat(jar).as("the packaged jar (built in the package phase)").isRegularFile();
        return new ImageFromDockerfile("forwarder-it/packaged", false)
                .withFileFromPath("Dockerfile", root.resolve("Dockerfile"))
                .withFileFromPath("forwarder-app/target/forwarder.jar", jar);
    }

    private static int status(String url) throws Exception {
        java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().version(java.net.http.HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        return client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
                .timeout(Duration.ofSeconds(5)).build(), java.net.http.HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }

    @Test
    void relaysAndDrainsAnInFlightTransferOnDockerStop(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("forwarder.conf");
        Files.writeString(config, """
                forwarder {
                  shutdown-timeout = %ds
                  admin { bind = "0.0.0.0:%d", token = "it-token" }
                  listeners { web { bind = "0.0.0.0:%d", pool = echo } }
                  pools { echo { backends = [ "echo:%d" ] } }
                }
                """.formatted(SHUTDOWN_TIMEOUT.toSeconds(), ADMIN_PORT, LISTENER_PORT, HostnameEcho.PORT));
        // The image runs as an unprivileged user: the mounted file must be readable by others.
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));

        try (GenericContainer<?> forwarder = new GenericContainer<>(projectImage())
                .withNetwork(NETWORK)
                // A bind mount made by Docker itself: Testcontainers' withFileSystemBind first checks that mounting
                // works with an alpine container, which cannot be pulled here (no registry).
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withBinds(new Bind(config.toString(),
                        new Volume("/etc/forwarder/forwarder.conf"), AccessMode.ro)))
                .withExposedPorts(LISTENER_PORT, ADMIN_PORT)
                .withLogConsumer(new Slf4jLogConsumer(LoggerFactory.getLogger("container.forwarder-image")))
                .waitingFor(Wait.forLogMessage(".*started listener=web.*\\n", 1)
                        .withStartupTimeout(Duration.ofSeconds(120)))) {
            forwarder.start();
            String readyz = "http://127.0.0.1:" + forwarder.getMappedPort(ADMIN_PORT) + "/readyz";
            assertThat(status(readyz)).as("GET /readyz of the running image").isEqualTo(200);
            InetSocketAddress listener = new InetSocketAddress("127.0.0.1", forwarder.getMappedPort(LISTENER_PORT));

            LongStream first = LongStream.open(listener, 1, 64 * 1024, Duration.ZERO);
            await().atMost(Duration.ofSeconds(30)).until(() -> first.sent() >= 8L << 20);
            LongStream.Result transfer = first.finish(Duration.ofSeconds(60));
            assertThat(transfer.intact()).as("transfer through the image: %s", transfer).isTrue();
            assertThat(transfer.backend()).isEqualTo("image-echo");

            LongStream inFlight = LongStream.open(listener, 2, 16 * 1024, Duration.ofMillis(10));
            await().atMost(Duration.ofSeconds(30)).until(() -> inFlight.sent() >= 256 * 1024);
            DockerClient docker = DockerClientFactory.instance().client();
            long stopping = System.nanoTime();
            CompletableFuture<Void> stopped = CompletableFuture.runAsync(() -> docker
                    .stopContainerCmd(forwarder.getContainerId())
                    .withTimeout((int) SHUTDOWN_TIMEOUT.toSeconds() + 30)
                    .exec());
            await("SIGTERM received").atMost(Duration.ofSeconds(20))
                    .until(() -> forwarder.getLogs().contains("received signal=SIGTERM"));
            assertThat(status(readyz)).as("GET /readyz while draining after SIGTERM").isEqualTo(503);
            long sentAtSigterm = inFlight.sent();
            await("the transfer goes on after SIGTERM").atMost(Duration.ofSeconds(10))
                    .until(() -> inFlight.sent() >= sentAtSigterm + 256 * 1024);
            assertThat(stopped).as("still draining the open transfer").isNotDone();

            LongStream.Result drained = inFlight.finish(Duration.ofSeconds(30));
            assertThat(drained.intact()).as("transfer in flight at docker stop: %s", drained).isTrue();
            stopped.get(SHUTDOWN_TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            long stopMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - stopping);
            assertThat(stopMs).as("docker stop took").isLessThan(SHUTDOWN_TIMEOUT.toMillis());
            Long exitCode = docker.inspectContainerCmd(forwarder.getContainerId()).exec().getState().getExitCodeLong();
            assertThat(exitCode).as("exit status after docker stop; log:%n%s", forwarder.getLogs()).isZero();
            assertThat(forwarder.getLogs()).contains("stopped connections_cut=0");
        }
    }
}
