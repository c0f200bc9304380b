package dev.forwarder.it.chaos;

import dev.forwarder.app.Forwarder;
import dev.forwarder.app.config.ConfigLoader;
import dev.forwarder.it.support.TestImages;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.wait.strategy.Wait;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;

import static org.awaitility.Awaitility.await;

/**
 * What the chaos tests share: the long/CI switch, servers, and forwarder in-process.
 *
 * <p>Servers are socat in a container on the host's network, listening on a fixed {@code 127.0.0.1} port: no Docker
 * port proxy in between (it would accept connections for a paused server and hide a stopped one's refusals, and it
 * costs CPU on every byte), and the port stays the same across {@code docker stop} and {@code docker start}.
 */
final class Chaos {

    /** {@code -Dchaos.long=true}: the long variants. */
    static final boolean LONG = Boolean.getBoolean("chaos.long");

    private static final Duration STARTUP = Duration.ofSeconds(60);

    private Chaos() {
    }

    /** {@code ci} in CI, {@code long} with {@code -Dchaos.long=true}. */
    static <T> T pick(T ci, T longVariant) {
        return LONG ? longVariant : ci;
    }

    /** A loopback port nothing listens on right now (a small race with other processes, accepted in tests). */
    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    /**
     * A byte-for-byte echo on {@code 127.0.0.1:port}: socat gives each connection its own {@code cat}; after the
     * client's FIN it keeps relaying cat's remaining output for up to 30 s ({@code -t 30}) and then closes, so
     * half-close is honoured. A listen backlog of 1024 (socat's default is 5) takes bursts of connects.
     */
    static GenericContainer<?> echo(int port) {
        return server(port, "EXEC:cat", "");
    }

    /**
     * A server on {@code 127.0.0.1:port} whose connections run {@code address} (a socat address such as
     * {@code SYSTEM:cat /blob}), after {@code setup} (shell commands, or empty) has run once.
     */
    static GenericContainer<?> server(int port, String address, String setup) {
        String socat = "exec socat -d -d -t 30 TCP-LISTEN:" + port
                + ",bind=127.0.0.1,fork,reuseaddr,backlog=1024 '" + address + "'";
        return new GenericContainer<>(TestImages.SOCAT)
                .withNetworkMode("host")
                .withCommand("sh", "-c", (setup.isEmpty() ? "" : setup + " && ") + socat)
                .waitingFor(Wait.forLogMessage(".*listening on .*\\n", 1).withStartupTimeout(STARTUP));
    }

    /** Waits until {@code 127.0.0.1:port} accepts a connection (a server started again with docker start). */
    static void awaitListening(int port, Duration atMost) {
        await("127.0.0.1:" + port + " listening").atMost(atMost).pollInterval(Duration.ofMillis(20))
                .ignoreExceptions().until(() -> {
                    try (Socket probe = new Socket()) {
                        probe.connect(new InetSocketAddress("127.0.0.1", port), 1_000);
                        return true;
                    }
                });
    }

    static void pause(GenericContainer<?> container) {
        container.getDockerClient().pauseContainerCmd(container.getContainerId()).exec();
    }

    static void unpause(GenericContainer<?> container) {
        container.getDockerClient().unpauseContainerCmd(container.getContainerId()).exec();
    }

    /** {@code docker stop} with a {@code timeoutSeconds} grace before SIGKILL. */
    static void stop(GenericContainer<?> container, int timeoutSeconds) {
        container.getDockerClient().stopContainerCmd(container.getContainerId()).withTimeout(timeoutSeconds).exec();
    }

    /** {@code docker start} of a stopped container (on the host's network: the same port). */
    static void start(GenericContainer<?> container) {
        container.getDockerClient().startContainerCmd(container.getContainerId()).exec();
    }

    /** Stops {@code container} even when a failed test left it paused. */
    static void stopQuietly(GenericContainer<?> container) {
        if (container.getContainerId() != null) {
            var state = container.getDockerClient().inspectContainerCmd(container.getContainerId()).exec().getState();
            if (Boolean.TRUE.equals(state.getPaused())) {
                unpause(container);
            }
        }
        container.stop();
    }

    /** forwarder started from {@code hocon} as a user's file would be. */
    static Forwarder forwarder(String hocon) throws Exception {
        return Forwarder.start(ConfigLoader.parse(hocon, "chaos"));
    }
}
