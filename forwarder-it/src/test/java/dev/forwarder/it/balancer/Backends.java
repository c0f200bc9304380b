package dev.forwarder.it.balancer;

import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;

import java.net.InetSocketAddress;
import java.time.Duration;

/** Containers of the {@link BalancerImages}, each waited on until its server listens. */
final class Backends {

    static final int HTTP_PORT = 80;
    static final int REDIS_PORT = 6379;
    static final int ECHO_PORT = 7000;

    private static final Duration STARTUP = Duration.ofSeconds(60);

    private Backends() {
    }

    /** An nginx whose host name, and so whose answer body on {@code /}, is {@code hostName}. */
    static GenericContainer<?> nginx(String hostName) {
        return new GenericContainer<>(BalancerImages.NGINX)
                .withCreateContainerCmdModifier(cmd -> cmd.withHostName(hostName))
                .withExposedPorts(HTTP_PORT)
                .waitingFor(Wait.forListeningPort().withStartupTimeout(STARTUP));
    }

    static GenericContainer<?> redis() {
        return new GenericContainer<>(BalancerImages.REDIS)
                .withExposedPorts(REDIS_PORT)
                .waitingFor(Wait.forLogMessage(".*Ready to accept connections.*\\n", 1).withStartupTimeout(STARTUP));
    }

    /** A socat echo whose every connection starts with the line {@code hostName}. */
    static GenericContainer<?> hostnameEcho(String hostName) {
        return new GenericContainer<>(BalancerImages.HOSTNAME_ECHO)
                .withCreateContainerCmdModifier(cmd -> cmd.withHostName(hostName))
                .withExposedPorts(ECHO_PORT)
                .waitingFor(Wait.forListeningPort().withStartupTimeout(STARTUP));
    }

    /** Where the host reaches the container's {@code port}: always the loopback, never the container's 172.x. */
    static InetSocketAddress hostAddress(GenericContainer<?> container, int port) {
        return new InetSocketAddress("127.0.0.1", container.getMappedPort(port));
    }

    /** The pool member name forwarder gives that address: {@code 127.0.0.1:<mapped port>}. */
    static String memberName(GenericContainer<?> container, int port) {
        return "127.0.0.1:" + container.getMappedPort(port);
    }
}
