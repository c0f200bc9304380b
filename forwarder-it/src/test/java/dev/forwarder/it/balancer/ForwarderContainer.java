package dev.forwarder.it.balancer;

import dev.forwarder.it.support.TestImages;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.output.Slf4jLogConsumer;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;
import org.testcontainers.utility.MountableFile;

import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The packaged jar ({@code java -jar forwarder.jar run --config FILE}) in a container on a test's network. There it
 * reaches backends by name through Docker's embedded DNS, and directly: no docker-proxy sits between it and them, so
 * a stopped backend refuses its connects as a stopped server would. (From the host, the docker-proxy of a stopping
 * container still accepts connections for some milliseconds and then resets them.) Clients on the host reach it
 * through its published port.
 */
final class ForwarderContainer {

    private static final Logger log = LoggerFactory.getLogger(ForwarderContainer.class);
    private static final int LISTENER_PORT = 8080;
    private static final String CONFIG_PATH = "/etc/forwarder/forwarder.conf";
    private static final String JAR_PATH = "/opt/forwarder/forwarder.jar";

    private ForwarderContainer() {
    }

    /**
     * A forwarder container with one pool named {@code pool}, whose body (strategy, backends...) is {@code poolHocon},
     * behind a listener of the same name on {@code 0.0.0.0:}{@value #LISTENER_PORT}. Started by the caller; ready
     * once forwarder logs its listener as started.
     */
    static GenericContainer<?> create(Network network, String pool, String poolHocon) {
        String config = PoolForwarder.config("0.0.0.0:" + LISTENER_PORT, Map.of(pool, poolHocon), Map.of());
        Path jar = Path.of(System.getProperty("forwarder.jar", "../forwarder-app/target/forwarder.jar"));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no packaged jar at " + jar.toAbsolutePath()
                    + " (built in the package phase)");
        }
        long building = System.nanoTime();
        String image = TestImages.JRE.get();
        log.info("jre image ready image={} build_or_cache_ms={}", image, (System.nanoTime() - building) / 1_000_000);
        return new GenericContainer<>(TestImages.JRE)
                .withNetwork(network)
                .withCopyFileToContainer(MountableFile.forHostPath(jar), JAR_PATH)
                .withCopyToContainer(Transferable.of(config), CONFIG_PATH)
                .withCommand("java", "-jar", JAR_PATH, "run", "--config", CONFIG_PATH)
                .withExposedPorts(LISTENER_PORT)
                .withLogConsumer(new Slf4jLogConsumer(LoggerFactory.getLogger("forwarder-in-container")))
                .waitingFor(Wait.forLogMessage(".*started listener=.*\\n", 1)
                        .withStartupTimeout(Duration.ofSeconds(60)));
    }

    /** Where host clients connect: the loopback and the listener's published port. */
    static InetSocketAddress listenerAddress(GenericContainer<?> forwarder) {
        return new InetSocketAddress("127.0.0.1", forwarder.getMappedPort(LISTENER_PORT));
    }
}
