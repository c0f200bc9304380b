package dev.forwarder.it;

import com.codahale.metrics.MetricRegistry;
import dev.forwarder.app.metrics.MetricNames;
import dev.forwarder.it.support.Backends;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

import java.time.Duration;
import java.util.List;

import static dev.forwarder.it.support.Backends.ECHO_PORT;
import static dev.forwarder.it.support.Backends.hostAddress;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Bulk data both ways at once through the relay, ended by a half-close, against a socat echo server. */
@Testcontainers
class EchoThroughForwarderIT {

    private static final long SIXTY_FOUR_MIB = 64L << 20;

    @Container
    static final GenericContainer<?> ECHO = Backends.echo();

    @Test
    void sixtyFourMebibytesOfRandomBytesComeBackUnchanged() throws Exception {
        try (InProcessForwarder forwarder = InProcessForwarder.roundRobin(List.of(hostAddress(ECHO, ECHO_PORT)))) {
            EchoTransfer.Result echo = EchoTransfer.roundTrip(forwarder.address(), SIXTY_FOUR_MIB, 64,
                    Duration.ofSeconds(120));
            assertThat(echo.received()).isEqualTo(SIXTY_FOUR_MIB);
            assertThat(echo.receivedSha256()).isEqualTo(echo.sentSha256());

            // The metrics saw the same bytes, and the connection ended once both directions had.
            MetricRegistry metrics = forwarder.metrics();
            String listener = InProcessForwarder.LISTENER;
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                    metrics.counter(MetricNames.listener(listener, MetricNames.ACTIVE_CONNECTIONS)).getCount())
                    .isZero());
            assertThat(metrics.meter(MetricNames.listener(listener, MetricNames.BYTES_UP)).getCount())
                    .isEqualTo(SIXTY_FOUR_MIB);
            assertThat(metrics.meter(MetricNames.listener(listener, MetricNames.BYTES_DOWN)).getCount())
                    .isEqualTo(SIXTY_FOUR_MIB);
        }
    }
}
