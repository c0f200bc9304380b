package dev.forwarder.core.relay;

import dev.forwarder.core.Backend;
import dev.forwarder.core.BackendChooser;
import dev.forwarder.core.CloseReason;
import dev.forwarder.core.ConnectPolicy;
import dev.forwarder.core.Transport;
import dev.forwarder.core.Waiter;
import dev.forwarder.core.testing.BlockingServer;
import dev.forwarder.core.testing.FixedChooser;
import dev.forwarder.core.testing.FullAcceptQueue;
import dev.forwarder.core.testing.RecordingObserver;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Queueing, connect deadline, pausing the accept and closing the sessions of one backend. */
class RelayPolicyTest {

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING", "NIO"})
    void queuedClientIsServedWhenTheChooserWakesIt(Transport transport) throws Exception {
        try (BlockingServer backend = BlockingServer.start(socket ->
                socket.getOutputStream().write("served".getBytes(StandardCharsets.US_ASCII)))) {
            GatedChooser chooser = new GatedChooser(new FixedChooser(backend.address()));
            RecordingObserver observer = new RecordingObserver();
            try (RelayFixture relay = new RelayFixture(transport, RelayFixture.settings(), chooser, observer,
                    new ConnectPolicy(1, Duration.ofSeconds(10), Duration.ofSeconds(30)));
                 Socket client = relay.connect()) {
                await().atMost(Duration.ofSeconds(5)).until(() -> chooser.waiters.size() == 1);
                chooser.open.set(true);
                assertThat(chooser.waiters.poll().wake(null)).isTrue();
                assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                        .isEqualTo("served");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING", "NIO"})
    void queuedClientIsClosedAfterTheQueueTimeout(Transport transport) throws Exception {
        GatedChooser chooser = new GatedChooser(new FixedChooser(RelayConnectFailureTest.closedPort()));
        RecordingObserver observer = new RecordingObserver();
        Duration queueTimeout = Duration.ofMillis(300);
        try (RelayFixture relay = new RelayFixture(transport, RelayFixture.settings(), chooser, observer,
                new ConnectPolicy(1, Duration.ofSeconds(10), queueTimeout));
             Socket client = relay.connect()) {
            long start = System.nanoTime();
            assertThat(client.getInputStream().read()).isEqualTo(-1);
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .isGreaterThanOrEqualTo(queueTimeout.minusMillis(50)).isLessThan(queueTimeout.plusSeconds(3));
            await().atMost(Duration.ofSeconds(5)).until(() -> observer.closed.size() == 1);
            assertThat(observer.closed.get(0).reason()).isEqualTo(CloseReason.QUEUE_TIMEOUT);
            // A waiter that gave up says so, so the chooser can wake another one.
            assertThat(chooser.waiters.poll().wake(null)).isFalse();
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING", "NIO"})
    void connectDeadlineCutsTheTriesShort(Transport transport) throws Exception {
        // Every backend drops SYNs; 5 tries of 400 ms would take 2 s, the 600 ms deadline ends them sooner.
        try (FullAcceptQueue full = new FullAcceptQueue()) {
            InetSocketAddress address = full.address();
            FixedChooser chooser = new FixedChooser(address, address, address, address, address);
            RecordingObserver observer = new RecordingObserver();
            try (RelayFixture relay = new RelayFixture(transport,
                    RelayFixture.settings().withConnectTimeout(Duration.ofMillis(400)), chooser, observer,
                    new ConnectPolicy(5, Duration.ofMillis(600), Duration.ZERO));
                 Socket client = relay.connect()) {
                long start = System.nanoTime();
                assertThat(client.getInputStream().read()).isEqualTo(-1);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(1500));
                await().atMost(Duration.ofSeconds(5)).until(() -> observer.closed.size() == 1);
                assertThat(observer.closed.get(0).reason()).isEqualTo(CloseReason.CONNECT_FAILED);
                // The first try had its full 400 ms and counts against its backend; the second, cut to the 200 ms the
                // deadline left, says nothing against its backend.
                assertThat(observer.closed.get(0).failed()).isEqualTo(1);
                assertThat(chooser.connectFailed).hasValue(1);
                assertThat(chooser.abandoned).hasValue(1);
                assertThat(chooser.outstanding()).isZero();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING", "NIO"})
    void pausedListenerRefusesClientsAndResumesOnTheSamePort(Transport transport) throws Exception {
        try (BlockingServer backend = BlockingServer.start(socket ->
                socket.getOutputStream().write("up".getBytes(StandardCharsets.US_ASCII)));
             RelayFixture relay = new RelayFixture(transport, RelayFixture.settings(),
                     new FixedChooser(backend.address()), new RecordingObserver(), ConnectPolicy.DEFAULT)) {
            SocketAddress address = relay.listener.localAddress();
            relay.listener.pauseAccepting();
            assertThat(relay.listener.isAccepting()).isFalse();
            assertThatThrownBy(() -> new Socket().connect(address, 1000)).isInstanceOf(ConnectException.class);

            relay.listener.resumeAccepting();
            assertThat(relay.listener.isAccepting()).isTrue();
            try (Socket client = relay.connect()) {
                assertThat(client.getInputStream().readAllBytes()).asString(StandardCharsets.US_ASCII).isEqualTo("up");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING", "NIO"})
    void closingTheSessionsOfOneBackendLeavesTheOthers(Transport transport) throws Exception {
        // Both backends hold their connections open and silent.
        try (BlockingServer first = BlockingServer.start(socket -> socket.getInputStream().read());
             BlockingServer second = BlockingServer.start(socket -> socket.getInputStream().read())) {
            FixedChooser chooser = new FixedChooser(first.address(), second.address());
            RecordingObserver observer = new RecordingObserver();
            try (RelayFixture relay = new RelayFixture(transport, RelayFixture.settings(), chooser, observer,
                    ConnectPolicy.DEFAULT);
                 Socket toFirst = relay.connect()) {
                // One at a time, so that round-robin sends the first client to the first backend.
                await().atMost(Duration.ofSeconds(5)).until(() -> observer.opened.get() == 1);
                Socket toSecond = relay.connect();
                await().atMost(Duration.ofSeconds(5)).until(() -> observer.opened.get() == 2);
                Backend firstBackend = chooser.backends().get(0);
                relay.server.closeConnectionsTo(firstBackend, CloseReason.BACKEND_DOWN);
                // A session cut because its backend went down is an abort: the client sees a reset, not an end.
                assertThatThrownBy(() -> toFirst.getInputStream().read()).isInstanceOf(java.net.SocketException.class)
                        .hasMessageContaining("reset");
                await().atMost(Duration.ofSeconds(5)).until(() -> observer.closed.size() == 1);
                assertThat(observer.closed.get(0).reason()).isEqualTo(CloseReason.BACKEND_DOWN);
                assertThat(relay.listener.activeConnections()).isEqualTo(1);
                toSecond.setSoTimeout(200);
                assertThatThrownBy(() -> toSecond.getInputStream().read())
                        .isInstanceOf(java.net.SocketTimeoutException.class);
                toSecond.close();
            }
        }
    }

    /** Offers a backend only while {@link #open} is set; keeps the waiters it is handed. */
    private static final class GatedChooser implements BackendChooser {
        final AtomicBoolean open = new AtomicBoolean();
        final ConcurrentLinkedQueue<Waiter> waiters = new ConcurrentLinkedQueue<>();
        private final FixedChooser delegate;

        GatedChooser(FixedChooser delegate) {
            this.delegate = delegate;
        }

        @Override
        public Backend choose(SocketAddress client, List<Backend> tried) {
            return open.get() ? delegate.choose(client, tried) : null;
        }

        @Override
        public CloseReason awaitBackend(Waiter waiter) {
            waiters.add(waiter);
            return null;
        }
    }

}
