package dev.forwarder.core.relay;

import dev.forwarder.core.CloseReason;
import dev.forwarder.core.Splice;
import dev.forwarder.core.Transport;
import dev.forwarder.core.testing.BlockingServer;
import dev.forwarder.core.testing.FixedChooser;
import dev.forwarder.core.testing.RecordingObserver;
import dev.forwarder.core.testing.Streams;
import io.netty.channel.epoll.Epoll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.DataInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Splice on epoll: bulk directions move through a pipe, every byte arrives in order, and the counts stay exact.
 * The half-close and back-pressure tests cover splice as well, since {@link Splice#AUTO} is the default there.
 */
class RelaySpliceTest {

    private static final long LARGE = 32L * 1024 * 1024;

    @BeforeAll
    static void epollOnly() {
        // These machines are Linux with the native library; a test that cannot splice must not pass quietly.
        assertThat(Epoll.isAvailable()).as("epoll available: %s", Epoll.unavailabilityCause()).isTrue();
    }

    @Test
    void bulkBothWaysIsSplicedWholeAndCountedExactly() throws Exception {
        RecordingObserver observer = new RecordingObserver();
        // The backend reads the upload to EOF, then answers LARGE bytes of its own.
        try (BlockingServer backend = BlockingServer.start(socket -> {
            Streams.Drained upload = Streams.drain(socket.getInputStream());
            OutputStream out = socket.getOutputStream();
            out.write((upload.bytes() + " " + upload.sha256() + "\n").getBytes(StandardCharsets.US_ASCII));
            Streams.send(out, LARGE, 7);
        });
             RelayFixture relay = new RelayFixture(Transport.EPOLL, RelayFixture.settings(),
                     new FixedChooser(backend.address()), observer, 1)) {
            String expectedAnswer = Streams.expectedSha256(LARGE, 7);
            for (int run = 0; run < 3; run++) {
                try (Socket client = relay.connect()) {
                    String sent = Streams.send(client.getOutputStream(), LARGE, run);
                    client.shutdownOutput();
                    InputStream in = client.getInputStream();
                    String line = readLine(in);
                    assertThat(line).as("run %d", run).isEqualTo(LARGE + " " + sent);
                    Streams.Drained answer = Streams.drain(in);
                    assertThat(answer.bytes()).as("run %d", run).isEqualTo(LARGE);
                    assertThat(answer.sha256()).as("run %d", run).isEqualTo(expectedAnswer);
                }
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> observer.closed.size() == 3);
        }
        long header = (LARGE + " ").length() + 64 + 1;
        assertThat(observer.closed).allSatisfy(closed -> {
            assertThat(closed.reason()).isEqualTo(CloseReason.CLIENT_CLOSED);
            assertThat(closed.bytesUp()).isEqualTo(LARGE);
            assertThat(closed.bytesDown()).isEqualTo(LARGE + header);
            // Only the reads before each direction switched, and the small prefix of each read after, are copied.
            assertThat(closed.bytesSpliced()).isGreaterThan((long) (2 * LARGE * 0.9));
        });
        assertThat(observer.relayedUp.get()).isEqualTo(3 * LARGE);
        assertThat(observer.relayedDown.get()).isEqualTo(3 * (LARGE + header));
    }

    @Test
    void smallExchangesStayCopiedAndOrderHoldsAcrossTheSwitch() throws Exception {
        RecordingObserver observer = new RecordingObserver();
        // An echo backend: small messages first, then a bulk stream in the same connection, all echoed.
        try (BlockingServer backend = BlockingServer.echo();
             RelayFixture relay = new RelayFixture(Transport.EPOLL, RelayFixture.settings(),
                     new FixedChooser(backend.address()), observer, 1)) {
            try (Socket client = relay.connect()) {
                OutputStream out = client.getOutputStream();
                DataInputStream in = new DataInputStream(client.getInputStream());
                byte[] small = new byte[100];
                for (int i = 0; i < 50; i++) {
                    Arrays.fill(small, (byte) i);
                    out.write(small);
                    byte[] echoed = new byte[small.length];
                    in.readFully(echoed);
                    assertThat(echoed).isEqualTo(small);
                }
                CompletableFuture<Streams.Drained> echo = CompletableFuture.supplyAsync(() -> {
                    try {
                        return Streams.drain(in);
                    } catch (java.io.IOException e) {
                        throw new java.io.UncheckedIOException(e);
                    }
                });
                String sent = Streams.send(out, LARGE, 11);
                client.shutdownOutput();
                Streams.Drained echoed = echo.get();
                assertThat(echoed.bytes()).isEqualTo(LARGE);
                assertThat(echoed.sha256()).isEqualTo(sent);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> observer.closed.size() == 1);
        }
        RecordingObserver.Closed closed = observer.closed.get(0);
        assertThat(closed.bytesUp()).isEqualTo(LARGE + 5000);
        assertThat(closed.bytesDown()).isEqualTo(LARGE + 5000);
        assertThat(closed.bytesSpliced()).isGreaterThan(LARGE);
    }

    @Test
    void tailSentWithFinWhileThePipeIsFullArrivesWhole() throws Exception {
        // The backend writes everything and closes while the client reads nothing yet: the client side's pipe is
        // full when the backend's FIN (RDHUP) makes Netty drain the backend socket regardless of AUTO_READ.
        long size = 4L * 1024 * 1024;
        Semaphore backendDone = new Semaphore(0);
        RecordingObserver observer = new RecordingObserver();
        try (BlockingServer backend = BlockingServer.start(socket -> {
            Streams.send(socket.getOutputStream(), size, 5);
            socket.shutdownOutput();
            backendDone.release();
            Streams.drain(socket.getInputStream());
        });
             RelayFixture relay = new RelayFixture(Transport.EPOLL, RelayFixture.settings(),
                     new FixedChooser(backend.address()), observer, 1)) {
            String expected = Streams.expectedSha256(size, 5);
            for (int run = 0; run < 5; run++) {
                try (Socket client = relay.connect()) {
                    assertThat(backendDone.tryAcquire(30, TimeUnit.SECONDS))
                            .as("the backend wrote all and sent FIN before the client read").isTrue();
                    Streams.Drained answer = Streams.drain(client.getInputStream());
                    assertThat(answer.bytes()).as("run %d", run).isEqualTo(size);
                    assertThat(answer.sha256()).as("run %d", run).isEqualTo(expected);
                }
            }
        }
        assertThat(observer.closed).allSatisfy(closed -> assertThat(closed.bytesSpliced()).isPositive());
    }

    @Test
    void pipesCloseWithTheirConnectionsEvenWhenAClientResetsMidStream() throws Exception {
        RecordingObserver observer = new RecordingObserver();
        // The backend streams until the client goes away.
        try (BlockingServer backend = BlockingServer.start(socket -> Streams.send(socket.getOutputStream(),
                Long.MAX_VALUE / 2, 1));
             RelayFixture relay = new RelayFixture(Transport.EPOLL, RelayFixture.settings(),
                     new FixedChooser(backend.address()), observer, 1)) {
            // Warm-up: the first connections open descriptors that stay (epoll, the JDK's own).
            streamThenReset(relay);
            await().atMost(Duration.ofSeconds(10)).until(() -> observer.closed.size() == 1);
            long baseline = openDescriptors();
            int connections = 20;
            for (int i = 0; i < connections; i++) {
                streamThenReset(relay);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> observer.closed.size() == 1 + connections);
            // Each connection held a pipe (two descriptors) for its spliced direction; none may be left.
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(openDescriptors()).isLessThanOrEqualTo(baseline + 2));
        }
        assertThat(observer.closed).allSatisfy(closed -> assertThat(closed.bytesSpliced()).isPositive());
    }

    /** Reads 1 MiB of a spliced download, then closes with a reset (SO_LINGER 0) while bytes are in flight. */
    private static void streamThenReset(RelayFixture relay) throws Exception {
        Socket client = relay.connect();
        client.getInputStream().readNBytes(1024 * 1024);
        client.setSoLinger(true, 0);
        client.close();
    }

    private static long openDescriptors() throws java.io.IOException {
        try (var fds = java.nio.file.Files.list(java.nio.file.Path.of("/proc/self/fd"))) {
            return fds.count();
        }
    }

    @Test
    void directionsBeyondThePipeBudgetKeepCopying() throws Exception {
        long size = 8L * 1024 * 1024;
        RecordingObserver observer = new RecordingObserver();
        PipeBudget pipes = PipeBudget.of(1);
        try (BlockingServer backend = BlockingServer.start(socket -> Streams.send(socket.getOutputStream(), size, 2));
             RelayFixture relay = new RelayFixture(Transport.EPOLL, RelayFixture.settings(),
                     new FixedChooser(backend.address()), observer, dev.forwarder.core.ConnectPolicy.ofTries(1),
                     pipes)) {
            String expected = Streams.expectedSha256(size, 2);
            try (Socket first = relay.connect()) {
                // The first download switches to splice and holds the one pipe while it stays open.
                byte[] head = first.getInputStream().readNBytes(1024 * 1024);
                assertThat(head).hasSize(1024 * 1024);
                assertThat(pipes.available()).isZero();
                try (Socket second = relay.connect()) {
                    Streams.Drained whole = Streams.drain(second.getInputStream());
                    assertThat(whole.sha256()).as("the copied download").isEqualTo(expected);
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> observer.closed.size() == 1);
                assertThat(observer.closed.get(0).bytesSpliced()).as("the second, over budget").isZero();
                assertThat(Streams.drain(first.getInputStream()).bytes()).isEqualTo(size - head.length);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> observer.closed.size() == 2);
            assertThat(observer.closed.get(1).bytesSpliced()).as("the first").isPositive();
            assertThat(pipes.available()).as("given back at close").isEqualTo(1);
            try (Socket third = relay.connect()) {
                assertThat(Streams.drain(third.getInputStream()).sha256()).isEqualTo(expected);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> observer.closed.size() == 3);
            assertThat(observer.closed.get(2).bytesSpliced()).as("the third, with the pipe free again").isPositive();
        }
    }

    @Test
    void smallRequestsNeverSwitch() throws Exception {
        RecordingObserver observer = new RecordingObserver();
        try (BlockingServer backend = BlockingServer.echo();
             RelayFixture relay = new RelayFixture(Transport.EPOLL, RelayFixture.settings(),
                     new FixedChooser(backend.address()), observer, 1)) {
            try (Socket client = relay.connect()) {
                DataInputStream in = new DataInputStream(client.getInputStream());
                byte[] request = new byte[1000];
                for (int i = 0; i < 200; i++) {
                    client.getOutputStream().write(request);
                    in.readFully(new byte[request.length]);
                }
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> observer.closed.size() == 1);
        }
        assertThat(observer.closed.get(0).bytesUp()).isEqualTo(200_000);
        assertThat(observer.closed.get(0).bytesSpliced()).isZero();
    }

    @Test
    void offCopiesEverything() throws Exception {
        RecordingObserver observer = new RecordingObserver();
        try (BlockingServer backend = BlockingServer.start(socket -> Streams.drain(socket.getInputStream()));
             RelayFixture relay = new RelayFixture(Transport.EPOLL, RelayFixture.settings().withSplice(Splice.OFF),
                     new FixedChooser(backend.address()), observer, 1)) {
            try (Socket client = relay.connect()) {
                Streams.send(client.getOutputStream(), LARGE, 3);
                client.shutdownOutput();
                assertThat(client.getInputStream().read()).isEqualTo(-1);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> observer.closed.size() == 1);
        }
        assertThat(observer.closed.get(0).bytesUp()).isEqualTo(LARGE);
        assertThat(observer.closed.get(0).bytesSpliced()).isZero();
    }

    private static String readLine(InputStream in) throws java.io.IOException {
        StringBuilder line = new StringBuilder();
        for (int c; (c = in.read()) != '\n'; ) {
            assertThat(c).as("end of stream before the line ended: %s", line).isNotEqualTo(-1);
            line.append((char) c);
        }
        return line.toString();
    }
}
