package dev.forwarder.it.support;

import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Containers of the {@link TestImages} that forwarder relays to, each waited on until its server listens. */
public final class Backends {

    public static final int HTTP_PORT = 80;
    public static final int REDIS_PORT = 6379;
    public static final int ECHO_PORT = 7000;

    private static final Duration STARTUP = Duration.ofSeconds(60);
    /** socat's notice ({@code -d -d}) naming the address it listens on. */
    private static final Pattern LISTENING = Pattern.compile("listening on AF=2 127\\.0\\.0\\.1:(\\d+)");

    private Backends() {
    }

    /** An nginx whose host name, and so whose answer body on {@code /}, is {@code hostName}. */
    public static GenericContainer<?> nginx(String hostName) {
        return new GenericContainer<>(TestImages.NGINX)
                .withCreateContainerCmdModifier(cmd -> cmd.withHostName(hostName))
                .withExposedPorts(HTTP_PORT)
                .waitingFor(Wait.forListeningPort().withStartupTimeout(STARTUP));
    }

    public static GenericContainer<?> redis() {
        return new GenericContainer<>(TestImages.REDIS)
                .withExposedPorts(REDIS_PORT)
                .waitingFor(Wait.forLogMessage(".*Ready to accept connections.*\\n", 1).withStartupTimeout(STARTUP));
    }

    /** A byte-for-byte echo that, after the client's EOF, still sends back what it has for up to 30 s. */
    public static GenericContainer<?> echo() {
        return new GenericContainer<>(TestImages.SOCAT)
                .withExposedPorts(ECHO_PORT)
                .waitingFor(Wait.forListeningPort().withStartupTimeout(STARTUP));
    }

    /**
     * An echo whose every connection starts with the line {@code hostName}, so a test can tell which backend a
     * long-lived connection went to. The same image as {@link #echo()}, whose plain echo the byte-counting tests
     * need: only socat's command differs.
     */
    public static GenericContainer<?> hostnameEcho(String hostName) {
        return new GenericContainer<>(TestImages.SOCAT)
                .withCreateContainerCmdModifier(cmd -> cmd.withHostName(hostName))
                .withCommand("socat", "TCP-LISTEN:" + ECHO_PORT + ",fork,reuseaddr",
                        "SYSTEM:cat /etc/hostname; exec cat")
                .withExposedPorts(ECHO_PORT)
                .waitingFor(Wait.forListeningPort().withStartupTimeout(STARTUP));
    }

    /**
     * A byte-for-byte echo on the host's own network, listening on {@code 127.0.0.1} at a port the kernel picks
     * ({@link #listenAddress}) with a listen backlog of 1. No published port means no docker-proxy in front of it: a
     * connect reaches the server's own socket, so a paused server whose accept queue is full makes connects hang.
     * Through a published port they cannot hang: the proxy accepts every connection itself.
     */
    public static GenericContainer<?> hostNetworkEcho() {
        return new GenericContainer<>(TestImages.SOCAT)
                .withNetworkMode("host")
                // -d -d: socat logs the port it got, for listenAddress; port 0 leaves no race for a free port.
                .withCommand("socat", "-d", "-d", "TCP-LISTEN:0,bind=127.0.0.1,backlog=1,fork,reuseaddr", "EXEC:cat")
                .waitingFor(Wait.forLogMessage(".*listening on .*\\n", 1).withStartupTimeout(STARTUP));
    }

    /** Where a started {@link #hostNetworkEcho()} listens: the loopback and the port socat logged. */
    public static InetSocketAddress listenAddress(GenericContainer<?> hostNetworkEcho) {
        Matcher listening = LISTENING.matcher(hostNetworkEcho.getLogs());
        if (!listening.find()) {
            throw new IllegalStateException("socat logged no listening address");
        }
        return new InetSocketAddress("127.0.0.1", Integer.parseInt(listening.group(1)));
    }

    /** Where the host reaches the container's {@code port}: always the loopback, never the container's 172.x. */
    public static InetSocketAddress hostAddress(GenericContainer<?> container, int port) {
        return new InetSocketAddress("127.0.0.1", container.getMappedPort(port));
    }

    /** The pool member name forwarder gives that address: {@code 127.0.0.1:<mapped port>}. */
    public static String memberName(GenericContainer<?> container, int port) {
        return "127.0.0.1:" + container.getMappedPort(port);
    }
}
