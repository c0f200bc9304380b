package dev.forwarder.it.ops;

import dev.forwarder.it.support.TestImages;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.output.Slf4jLogConsumer;
import org.testcontainers.containers.wait.strategy.Wait;

import java.time.Duration;

/**
 * socat echo containers whose every connection starts with the line of their host name, so a test can tell which
 * backend a connection reached; {@code -t 30} lets the echo finish after the client's FIN, for streams that end
 * under load.
 */
final class HostnameEcho {

    static final int PORT = 7000;

    private HostnameEcho() {
    }

    static GenericContainer<?> create(String hostName) {
        return new GenericContainer<>(TestImages.SOCAT)
                .withCreateContainerCmdModifier(cmd -> cmd.withHostName(hostName))
                .withCommand("socat", "-t", "30", "TCP-LISTEN:" + PORT + ",fork,reuseaddr",
                        "SYSTEM:cat /etc/hostname; exec cat")
                .withExposedPorts(PORT)
                .withLogConsumer(new Slf4jLogConsumer(LoggerFactory.getLogger("container." + hostName)))
                .waitingFor(Wait.forListeningPort().withStartupTimeout(Duration.ofSeconds(60)));
    }

    /** The pool member name forwarder gives a container's published port. */
    static String member(GenericContainer<?> echo) {
        return "127.0.0.1:" + echo.getMappedPort(PORT);
    }
}
