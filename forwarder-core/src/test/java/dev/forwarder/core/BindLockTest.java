package dev.forwarder.core;

import dev.forwarder.core.testing.FixedChooser;
import io.netty.channel.epoll.Epoll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;
import static org.awaitility.Awaitility.await;

/** The port's bind lock as another process sees it: a second JVM ({@link BindLockHolder}) holds it. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BindLockTest {

    private Process holder;
    private BufferedReader holderOut;
    private PrintWriter holderIn;

    @AfterEach
    void stopHolder() throws InterruptedException {
        if (holder != null) {
            holder.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void lockHeldByAnotherProcessFailsTheWaitNamingTheLockFile() throws Exception {
        int port = freePort();
        startHolder(port);

        Path file = Path.of(System.getProperty("java.io.tmpdir"), "forwarder-bind-" + port + ".lock");
        assertThatThrownBy(() -> BindLock.acquire(port, Duration.ofMillis(200)))
                .isInstanceOf(IOException.class)
                .hasMessage(file + " is held by another process (waited 200 ms)");

        tellHolder("release", "released");
        BindLock.acquire(port, Duration.ofSeconds(5)).release();
    }

    @Test
    void bindWaitsForAnotherProcessesBindThenFindsThePortTaken() throws Exception {
        assumeThat(Epoll.isAvailable()).as("epoll available: %s", Epoll.unavailabilityCause()).isTrue();
        int port = freePort();
        InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        startHolder(port);
        try (RelayServer server = RelayServer.start(Transport.EPOLL, 2)) {
            CompletableFuture<BoundListener> bind = CompletableFuture.supplyAsync(() -> {
                try {
                    return server.bind(ListenerSettings.of("web", address), new FixedChooser(),
                            ConnectionObserver.NOOP);
                } catch (ListenerBindException e) {
                    throw new CompletionException(e);
                }
            });

            await("bind waiting while the other process holds the lock")
                    .during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2))
                    .until(() -> !bind.isDone());
            tellHolder("listen", "listening");
            tellHolder("release", "released");

            assertThatThrownBy(() -> bind.get(10, TimeUnit.SECONDS))
                    .hasCauseInstanceOf(ListenerBindException.class)
                    .cause().hasMessage("listener web: cannot bind 127.0.0.1:" + port + ": Address already in use");
        }
    }

    private void startHolder(int port) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        holder = new ProcessBuilder(List.of(java, "-Xmx64m", "-XX:TieredStopAtLevel=1",
                "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
                "-cp", System.getProperty("java.class.path"), BindLockHolder.class.getName(),
                Integer.toString(port))).redirectErrorStream(true).start();
        holderOut = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.US_ASCII));
        holderIn = new PrintWriter(holder.getOutputStream(), true, StandardCharsets.US_ASCII);
        awaitHolderLine("locked");
    }

    private void tellHolder(String command, String answer) throws IOException {
        holderIn.println(command);
        awaitHolderLine(answer);
    }

    /** Reads the holder's output up to {@code expected}; the class's timeout bounds a holder that never says it. */
    private void awaitHolderLine(String expected) throws IOException {
        StringBuilder seen = new StringBuilder();
        for (String line = holderOut.readLine(); line != null; line = holderOut.readLine()) {
            if (line.equals(expected)) {
                return;
            }
            seen.append(line).append('\n');
        }
        throw new AssertionError("holder ended before saying " + expected + "; it said:\n" + seen);
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
