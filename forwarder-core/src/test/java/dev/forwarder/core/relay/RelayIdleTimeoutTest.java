package dev.forwarder.core.relay;

import dev.forwarder.core.CloseReason;
import dev.forwarder.core.Transport;
import dev.forwarder.core.testing.BlockingServer;
import dev.forwarder.core.testing.FixedChooser;
import dev.forwarder.core.testing.RecordingObserver;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.Socket;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class RelayIdleTimeoutTest {

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING", "NIO"})
    void silentConnectionIsClosedAfterTheIdleTimeout(Transport transport) throws Exception {
        Duration idle = Duration.ofMillis(300);
        RecordingObserver observer = new RecordingObserver();
        FixedChooser chooser;
        // The backend keeps its side open and silent until the test ends.
        try (BlockingServer backend = BlockingServer.start(socket -> socket.getInputStream().read())) {
            chooser = new FixedChooser(backend.address());
            try (RelayFixture relay = new RelayFixture(transport, RelayFixture.settings().withIdleTimeout(idle),
                    chooser, observer, 1);
                 Socket client = relay.connect()) {
                long start = System.nanoTime();
                assertThat(client.getInputStream().read()).isEqualTo(-1);
                assertThat(Duration.ofNanos(System.nanoTime() - start))
                        .isGreaterThanOrEqualTo(idle.minusMillis(50)).isLessThan(idle.plusSeconds(3));
                await().atMost(Duration.ofSeconds(5)).until(() -> observer.closed.size() == 1);
                assertThat(observer.closed.get(0).reason()).isEqualTo(CloseReason.IDLE_TIMEOUT);
            }
        }
        assertThat(chooser.outstanding()).isZero();
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING", "NIO"})
    void trafficEitherWayKeepsTheConnectionOpen(Transport transport) throws Exception {
        Duration idle = Duration.ofMillis(300);
        RecordingObserver observer = new RecordingObserver();
        // An echo backend: each byte the client sends comes back.
        try (BlockingServer backend = BlockingServer.echo();
             RelayFixture relay = new RelayFixture(transport, RelayFixture.settings().withIdleTimeout(idle),
                     new FixedChooser(backend.address()), observer, 1);
             Socket client = relay.connect()) {
            // One byte each 100 ms for 1.5 s: five idle timeouts long, never 300 ms silent. (The sleep paces the
            // traffic under test; it does not wait for anything.)
            long end = System.nanoTime() + Duration.ofMillis(1500).toNanos();
            while (System.nanoTime() < end) {
                client.getOutputStream().write('x');
                assertThat(client.getInputStream().read()).as("echo while active").isEqualTo('x');
                Thread.sleep(100);
            }
            assertThat(observer.closed).as("closed while bytes flowed").isEmpty();
            // Then silence: the timeout applies again.
            assertThat(client.getInputStream().read()).isEqualTo(-1);
            await().atMost(Duration.ofSeconds(5)).until(() -> observer.closed.size() == 1);
            assertThat(observer.closed.get(0).reason()).isEqualTo(CloseReason.IDLE_TIMEOUT);
        }
    }
}
