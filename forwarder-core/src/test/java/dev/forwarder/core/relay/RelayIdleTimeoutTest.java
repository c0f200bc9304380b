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
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
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
}
