package dev.forwarder.it;

import dev.forwarder.app.metrics.MetricNames;
import dev.forwarder.it.support.Backends;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static dev.forwarder.it.support.Backends.ECHO_PORT;
import static dev.forwarder.it.support.Backends.hostAddress;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Clients that end their side at once, before the forwarder can have finished connecting to the backend: the FIN
 * (and any bytes before it) must still reach the backend. Run on both transports, since they learn of a FIN
 * differently (epoll reports it even while the relay is not reading).
 */
@Testcontainers
class HalfCloseThroughForwarderIT {

    private static final int ROUNDS = 20;
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    @Container
    static final GenericContainer<?> ECHO = Backends.echo();

    @ParameterizedTest(name = "transport={0}")
    @ValueSource(strings = {"epoll", "nio"})
    void requestThenImmediateFinGetsTheWholeEchoBack(String transport) throws Exception {
        try (InProcessForwarder forwarder = InProcessForwarder.roundRobin(List.of(hostAddress(ECHO, ECHO_PORT)),
                "forwarder.transport = " + transport)) {
            assertThat(echoRoundsWithImmediateFin(forwarder)).as("rounds without their whole echo").isEmpty();
        }
    }

    @ParameterizedTest(name = "transport={0}")
    @ValueSource(strings = {"epoll", "nio"})
    void requestThenImmediateFinSurvivesARefusedFirstBackend(String transport) throws Exception {
        // Round-robin starts every other connection on the dead backend; the retry must carry what the client
        // sent while the first connect was failing.
        InetSocketAddress dead = new InetSocketAddress("127.0.0.1", PortProbe.unusedLoopbackPort());
        try (InProcessForwarder forwarder = InProcessForwarder.roundRobin(
                List.of(dead, hostAddress(ECHO, ECHO_PORT)),
                "forwarder.transport = " + transport + "\nforwarder.pools." + InProcessForwarder.LISTENER
                        + ".connect-tries = 2")) {
            assertThat(echoRoundsWithImmediateFin(forwarder)).as("rounds without their whole echo").isEmpty();
        }
    }

    /** Rounds of request, FIN, read to EOF; returns what went wrong, stopping after a few failures. */
    private static List<String> echoRoundsWithImmediateFin(InProcessForwarder forwarder) {
        List<String> wrong = new ArrayList<>();
        // A broken round costs the whole read timeout: stop after a few.
        for (int i = 0; i < ROUNDS && wrong.size() < 3; i++) {
            String request = "request " + i + "\n";
            try (Socket client = new Socket()) {
                client.connect(forwarder.address(), (int) TIMEOUT.toMillis());
                client.setSoTimeout((int) TIMEOUT.toMillis());
                client.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
                client.shutdownOutput();
                String echo = new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                if (!echo.equals(request)) {
                    wrong.add(i + ": got \"" + echo.strip() + '"');
                }
            } catch (IOException e) {
                wrong.add(i + ": " + e);
            }
        }
        return wrong;
    }

    @ParameterizedTest(name = "transport={0}")
    @ValueSource(strings = {"epoll", "nio"})
    void clientThatClosesWithoutSendingIsReleased(String transport) throws Exception {
        try (InProcessForwarder forwarder = InProcessForwarder.roundRobin(List.of(hostAddress(ECHO, ECHO_PORT)),
                "forwarder.transport = " + transport)) {
            // What a TCP health check or `nc -z` does.
            for (int i = 0; i < 5; i++) {
                try (Socket probe = new Socket()) {
                    probe.connect(forwarder.address(), (int) TIMEOUT.toMillis());
                }
            }
            String active = MetricNames.listener(InProcessForwarder.LISTENER, MetricNames.ACTIVE_CONNECTIONS);
            await("no relayed connection left open").atMost(TIMEOUT)
                    .untilAsserted(() -> assertThat(forwarder.metrics().counter(active).getCount()).isZero());
        }
    }
}
