package dev.forwarder.core.relay;

import dev.forwarder.core.CloseReason;
import dev.forwarder.core.ConnectPolicy;
import dev.forwarder.core.Transport;
import dev.forwarder.core.testing.FixedChooser;
import dev.forwarder.core.testing.FullAcceptQueue;
import dev.forwarder.core.testing.RecordingObserver;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.Socket;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A pick that forwarder gives up itself is no failure of the backend: only a refusal, a timeout or an unreachable
 * backend counts against it (otherwise three impatient clients take a healthy backend out).
 */
class RelayAbandonedPickTest {

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING", "NIO"})
    void clientResetDuringTheConnectIsNoFailureOfTheBackend(Transport transport) throws Exception {
        RecordingObserver observer = new RecordingObserver();
        try (FullAcceptQueue slow = new FullAcceptQueue()) {
            FixedChooser chooser = new FixedChooser(slow.address());
            try (RelayFixture relay = new RelayFixture(transport,
                    RelayFixture.settings().withConnectTimeout(Duration.ofSeconds(10)), chooser, observer, 1)) {
                for (int i = 1; i <= 3; i++) {
                    Socket client = relay.connect();
                    int picked = i;
                    await().atMost(Duration.ofSeconds(5)).until(() -> chooser.chosen.get() == picked);
                    client.setSoLinger(true, 0);
                    client.close();
                }
                await().atMost(Duration.ofSeconds(5)).until(() -> observer.closed.size() == 3);
                assertThat(chooser.connectFailed).hasValue(0);
                assertThat(chooser.abandoned).hasValue(3);
                assertThat(chooser.outstanding()).isZero();
                assertThat(observer.closed).allSatisfy(c -> assertThat(c.reason()).isEqualTo(CloseReason.CLIENT_RESET));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING", "NIO"})
    void idleTimeoutDuringTheConnectIsNoFailureOfTheBackend(Transport transport) throws Exception {
        RecordingObserver observer = new RecordingObserver();
        try (FullAcceptQueue slow = new FullAcceptQueue()) {
            FixedChooser chooser = new FixedChooser(slow.address());
            try (RelayFixture relay = new RelayFixture(transport, RelayFixture.settings()
                    .withConnectTimeout(Duration.ofSeconds(10)).withIdleTimeout(Duration.ofMillis(300)),
                    chooser, observer, 1);
                 Socket client = relay.connect()) {
                assertThat(client.getInputStream().read()).isEqualTo(-1);
                await().atMost(Duration.ofSeconds(5)).until(() -> observer.closed.size() == 1);
                assertThat(observer.closed.get(0).reason()).isEqualTo(CloseReason.IDLE_TIMEOUT);
                assertThat(chooser.connectFailed).hasValue(0);
                assertThat(chooser.abandoned).hasValue(1);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING", "NIO"})
    void connectDeadlineBlamesOnlyBackendsItTried(Transport transport) throws Exception {
        // Refused connects take a fraction of a millisecond, so with a 1 ms deadline the deadline runs out between
        // tries: no backend may then be picked and reported as failed without a connect.
        RecordingObserver observer = new RecordingObserver();
        FixedChooser chooser = new FixedChooser(RelayConnectFailureTest.closedPort(),
                RelayConnectFailureTest.closedPort());
        int connections = 40;
        try (RelayFixture relay = new RelayFixture(transport, RelayFixture.settings(), chooser, observer,
                new ConnectPolicy(50, Duration.ofMillis(1), Duration.ZERO))) {
            for (int i = 0; i < connections; i++) {
                try (Socket client = relay.connect()) {
                    assertThat(client.getInputStream().read()).isEqualTo(-1);
                }
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> observer.closed.size() == connections);
        }
        int tried = observer.closed.stream().mapToInt(RecordingObserver.Closed::failed).sum();
        assertThat(chooser.connectFailed).hasValue(tried);
        assertThat(chooser.outstanding()).isZero();
    }
}
