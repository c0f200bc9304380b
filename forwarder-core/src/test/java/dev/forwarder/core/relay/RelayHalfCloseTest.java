package dev.forwarder.core.relay;

import dev.forwarder.core.CloseReason;
import dev.forwarder.core.Transport;
import dev.forwarder.core.testing.BlockingServer;
import dev.forwarder.core.testing.FixedChooser;
import dev.forwarder.core.testing.RecordingObserver;
import dev.forwarder.core.testing.Streams;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The two half-close patterns netty-notes.md says broke a plain epoll relay, on both transports, repeated to catch
 * a race: "request, FIN, then a large answer" and "large upload, FIN, then an answer".
 */
class RelayHalfCloseTest {

    private static final int REPEATS = 8;
    private static final long LARGE = 64L * 1024 * 1024;

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING", "NIO"})
    void requestThenFinThenLargeAnswerArrivesWhole(Transport transport) throws Exception {
        // The backend reads the request to EOF, then answers 64 MiB and closes.
        try (BlockingServer backend = BlockingServer.start(socket -> {
            Streams.Drained request = Streams.drain(socket.getInputStream());
            Streams.send(socket.getOutputStream(), LARGE, request.bytes());
        });
             RelayFixture relay = new RelayFixture(transport, RelayFixture.settings(),
                     new FixedChooser(backend.address()), new RecordingObserver(), 1)) {
            String expected = Streams.expectedSha256(LARGE, 5);
            for (int run = 0; run < REPEATS; run++) {
                try (Socket client = relay.connect()) {
                    client.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
                    client.shutdownOutput();
                    Streams.Drained answer = Streams.drain(client.getInputStream());
                    assertThat(answer.bytes()).as("run %d on %s", run, transport).isEqualTo(LARGE);
                    assertThat(answer.sha256()).as("run %d on %s", run, transport).isEqualTo(expected);
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING", "NIO"})
    void largeUploadThenFinThenAnswerArrives(Transport transport) throws Exception {
        // The backend reads the upload to EOF and answers with its length and SHA-256.
        RecordingObserver observer = new RecordingObserver();
        FixedChooser chooser = new FixedChooser();
        try (BlockingServer backend = BlockingServer.start(socket -> {
            Streams.Drained upload = Streams.drain(socket.getInputStream());
            socket.getOutputStream().write((upload.bytes() + " " + upload.sha256()).getBytes(StandardCharsets.US_ASCII));
        })) {
            chooser = new FixedChooser(backend.address());
            try (RelayFixture relay = new RelayFixture(transport, RelayFixture.settings(), chooser, observer, 1)) {
                for (int run = 0; run < REPEATS; run++) {
                    try (Socket client = relay.connect()) {
                        String sent = Streams.send(client.getOutputStream(), LARGE, run);
                        client.shutdownOutput();
                        InputStream in = client.getInputStream();
                        String answer = new String(in.readAllBytes(), StandardCharsets.US_ASCII);
                        assertThat(answer).as("run %d on %s", run, transport).isEqualTo(LARGE + " " + sent);
                    }
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> observer.closed.size() == REPEATS);
            }
        }
        assertThat(observer.closed).allSatisfy(closed -> {
            assertThat(closed.reason()).isEqualTo(CloseReason.CLIENT_CLOSED);
            assertThat(closed.bytesUp()).isEqualTo(LARGE);
        });
        assertThat(chooser.outstanding()).isZero();
    }
}
