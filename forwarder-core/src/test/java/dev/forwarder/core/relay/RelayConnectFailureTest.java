package dev.forwarder.core.relay;

import dev.forwarder.core.Addresses;
import dev.forwarder.core.CloseReason;
import dev.forwarder.core.Transport;
import dev.forwarder.core.testing.BlockingServer;
import dev.forwarder.core.testing.FixedChooser;
import dev.forwarder.core.testing.FullAcceptQueue;
import dev.forwarder.core.testing.RecordingObserver;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class RelayConnectFailureTest {

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING", "NIO"})
    void refusedBackendClosesTheClientWithinTheConnectTimeout(Transport transport) throws Exception {
        Duration connectTimeout = Duration.ofSeconds(2);
        RecordingObserver observer = new RecordingObserver();
        FixedChooser chooser = new FixedChooser(closedPort());
        try (RelayFixture relay = new RelayFixture(transport,
                RelayFixture.settings().withConnectTimeout(connectTimeout), chooser, observer, 1);
             Socket client = relay.connect()) {
            long start = System.nanoTime();
            assertThat(client.getInputStream().read()).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(connectTimeout);
            await().atMost(Duration.ofSeconds(5)).until(() -> observer.closed.size() == 1);
            assertThat(observer.closed.get(0).reason()).isEqualTo(CloseReason.CONNECT_FAILED);
            assertThat(chooser.connectFailed.get()).isEqualTo(1);
            assertThat(chooser.outstanding()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING", "NIO"})
    void backendThatNeverAnswersTheHandshakeTimesOut(Transport transport) throws Exception {
        Duration connectTimeout = Duration.ofMillis(400);
        RecordingObserver observer = new RecordingObserver();
        try (FullAcceptQueue full = new FullAcceptQueue()) {
            FixedChooser chooser = new FixedChooser(full.address());
            try (RelayFixture relay = new RelayFixture(transport,
                    RelayFixture.settings().withConnectTimeout(connectTimeout), chooser, observer, 1);
                 Socket client = relay.connect()) {
                long start = System.nanoTime();
                assertThat(client.getInputStream().read()).isEqualTo(-1);
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                assertThat(took).isGreaterThanOrEqualTo(connectTimeout.minusMillis(50))
                        .isLessThan(connectTimeout.plusSeconds(2));
                await().atMost(Duration.ofSeconds(5)).until(() -> observer.closed.size() == 1);
                assertThat(observer.closed.get(0).reason()).isEqualTo(CloseReason.CONNECT_FAILED);
                assertThat(chooser.outstanding()).isZero();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING", "NIO"})
    void failedConnectIsRetriedOnTheNextBackend(Transport transport) throws Exception {
        RecordingObserver observer = new RecordingObserver();
        try (BlockingServer good = BlockingServer.start(socket ->
                socket.getOutputStream().write("ok".getBytes(StandardCharsets.US_ASCII)))) {
            InetSocketAddress refusing = closedPort();
            FixedChooser chooser = new FixedChooser(refusing, good.address());
            try (RelayFixture relay = new RelayFixture(transport, RelayFixture.settings(), chooser, observer, 2);
                 Socket client = relay.connect()) {
                assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                        .isEqualTo("ok");
                client.close();
                await().atMost(Duration.ofSeconds(5)).until(() -> observer.closed.size() == 1);
                assertThat(observer.closed.get(0).failed()).isEqualTo(1);
                // Each try reported once, as it ended, with the backend it went to.
                assertThat(observer.tries).containsExactly(Addresses.format(refusing) + " failed",
                        Addresses.format(good.address()) + " connected");
                assertThat(observer.closed.get(0).reason()).isEqualTo(CloseReason.BACKEND_CLOSED);
                assertThat(chooser.connectFailed.get()).isEqualTo(1);
                assertThat(chooser.outstanding()).isZero();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING", "NIO"})
    void noBackendClosesTheClientAtOnce(Transport transport) throws Exception {
        RecordingObserver observer = new RecordingObserver();
        try (RelayFixture relay = new RelayFixture(transport, RelayFixture.settings(), new FixedChooser(),
                observer, 1);
             Socket client = relay.connect()) {
            assertThat(client.getInputStream().read()).isEqualTo(-1);
            await().atMost(Duration.ofSeconds(5)).until(() -> observer.closed.size() == 1);
            assertThat(observer.closed.get(0).reason()).isEqualTo(CloseReason.NO_BACKEND);
        }
    }

    static InetSocketAddress closedPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return (InetSocketAddress) socket.getLocalSocketAddress();
        }
    }
}
