package dev.forwarder.it.ops;

import com.github.dockerjava.api.model.AccessMode;
import com.github.dockerjava.api.model.Bind;
import com.github.dockerjava.api.model.Volume;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.output.Slf4jLogConsumer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code transport = io-uring} in a container whose seccomp profile refuses {@code io_uring_setup} (as many
 * container runtimes' default profiles do now): the packaged image says it falls back to epoll, listens on epoll,
 * and relays a transfer intact. The same image with Docker's own default profile (20.10 here, which lets io_uring
 * through) runs on io_uring and relays too, so the first case is the profile's doing.
 */
@Testcontainers
class IoUringFallbackIT {

    private static final int LISTENER_PORT = 8080;
    private static final Network NETWORK = Network.newNetwork();
    /** Everything allowed but io_uring's three calls, which fail with EPERM as under a blocking profile. */
    private static final String NO_IO_URING = """
            {"defaultAction": "SCMP_ACT_ALLOW",
             "syscalls": [{"names": ["io_uring_setup", "io_uring_enter", "io_uring_register"],
                           "action": "SCMP_ACT_ERRNO", "errnoRet": 1}]}""";

    @Container
    static final GenericContainer<?> ECHO = HostnameEcho.create("uring-echo")
            .withNetwork(NETWORK)
            .withNetworkAliases("echo");

    @Test
    void blockedIoUringFallsBackToEpollAndRelays(@TempDir Path dir) throws Exception {
        String logs = relayThrough(dir, List.of("seccomp=" + NO_IO_URING.replace("\n", " ")));
        assertThat(logs).contains("transport io-uring is not available here, falling back to epoll")
                .contains("transport=epoll").doesNotContain("transport=io-uring");
    }

    @Test
    void dockersDefaultProfileHereRunsOnIoUring(@TempDir Path dir) throws Exception {
        String logs = relayThrough(dir, List.of());
        assertThat(logs).contains("transport=io-uring").doesNotContain("falling back");
    }

    /** Runs the image with {@code transport = io-uring}, relays 8 MiB through it, returns its log. */
    private static String relayThrough(Path dir, List<String> securityOpts) throws Exception {
        Path config = dir.resolve("forwarder.conf");
        Files.writeString(config, """
                forwarder {
                  transport = io-uring
                  admin.enabled = false
                  listeners { web { bind = "0.0.0.0:%d", pool = echo } }
                  pools { echo { backends = [ "echo:%d" ] } }
                }
                """.formatted(LISTENER_PORT, HostnameEcho.PORT));
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-r--r--"));
        try (GenericContainer<?> forwarder = new GenericContainer<>(PackagedImageIT.projectImage())
                .withNetwork(NETWORK)
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig()
                        .withBinds(new Bind(config.toString(), new Volume("/etc/forwarder/forwarder.conf"),
                                AccessMode.ro))
                        .withSecurityOpts(securityOpts))
                .withExposedPorts(LISTENER_PORT)
                .withLogConsumer(new Slf4jLogConsumer(LoggerFactory.getLogger("container.forwarder-uring")))
                .waitingFor(Wait.forLogMessage(".*started listener=web.*\\n", 1)
                        .withStartupTimeout(Duration.ofSeconds(120)))) {
            forwarder.start();
            InetSocketAddress listener = new InetSocketAddress("127.0.0.1", forwarder.getMappedPort(LISTENER_PORT));
            LongStream stream = LongStream.open(listener, 7, 64 * 1024, Duration.ZERO);
            await().atMost(Duration.ofSeconds(30)).until(() -> stream.sent() >= 8L << 20);
            LongStream.Result transfer = stream.finish(Duration.ofSeconds(60));
            assertThat(transfer.intact()).as("transfer through the image: %s", transfer).isTrue();
            assertThat(transfer.backend()).isEqualTo("uring-echo");
            return forwarder.getLogs();
        }
    }
}
