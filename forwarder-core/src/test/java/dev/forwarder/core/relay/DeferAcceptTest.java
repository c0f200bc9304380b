package dev.forwarder.core.relay;

import dev.forwarder.core.ConnectPolicy;
import dev.forwarder.core.Transport;
import dev.forwarder.core.testing.BlockingServer;
import dev.forwarder.core.testing.FixedChooser;
import dev.forwarder.core.testing.RecordingObserver;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.Socket;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code defer-accept} ({@code TCP_DEFER_ACCEPT}): a client that has not sent anything is not handed to forwarder
 * (no accept, no backend connect) while one that speaks is relayed at once; a reload that turns it off hands the
 * silent one over.
 */
class DeferAcceptTest {

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING"})
    void aSilentClientWaitsInTheKernelUntilItSpeaks(Transport transport) throws Exception {
        RecordingObserver observer = new RecordingObserver();
        FixedChooser chooser;
        try (BlockingServer backend = BlockingServer.start(
                socket -> socket.getInputStream().transferTo(socket.getOutputStream()), 8);
             RelayFixture relay = new RelayFixture(transport,
                     RelayFixture.settings().withDeferAccept(Duration.ofSeconds(30)),
                     chooser = new FixedChooser(backend.address()), observer, 1);
             Socket silent = relay.connect();
             Socket speaker = relay.connect()) {
            assertThat(relay.listener.settings().deferAcceptSeconds()).isEqualTo(30);

            echoes(speaker, 's');
            // The silent client connected first, yet only the one that spoke was accepted.
            assertThat(observer.accepted.get()).isEqualTo(1);
            assertThat(relay.listener.activeConnections()).isEqualTo(1);

            echoes(silent, 'x');
            assertThat(observer.accepted.get()).isEqualTo(2);

            // Off again, in place on the live sockets: a new silent client is handed over without a byte.
            relay.listener.update(relay.listener.settings().withDeferAccept(Duration.ZERO), chooser, observer,
                    ConnectPolicy.ofTries(1), null);
            try (Socket quiet = relay.connect()) {
                await().atMost(Duration.ofSeconds(10)).until(() -> observer.accepted.get() == 3);
                echoes(quiet, 'q');
            }
        }
    }

    @org.junit.jupiter.api.Test
    void aDeferAcceptRoundsUpToWholeSeconds() {
        assertThat(RelayFixture.settings().deferAcceptSeconds()).isZero();
        assertThat(RelayFixture.settings().withDeferAccept(Duration.ofMillis(1)).deferAcceptSeconds()).isEqualTo(1);
        assertThat(RelayFixture.settings().withDeferAccept(Duration.ofMillis(2500)).deferAcceptSeconds())
                .isEqualTo(3);
        assertThat(RelayFixture.settings().withDeferAccept(Duration.ofSeconds(5)).deferAcceptSeconds()).isEqualTo(5);
    }

    private static void echoes(Socket socket, char ch) throws IOException {
        socket.getOutputStream().write(ch);
        socket.getOutputStream().flush();
        assertThat(socket.getInputStream().read()).isEqualTo(ch);
    }
}
