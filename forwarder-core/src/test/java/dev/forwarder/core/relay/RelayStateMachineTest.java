package dev.forwarder.core.relay;

import dev.forwarder.core.CloseReason;
import dev.forwarder.core.ConnectPolicy;
import dev.forwarder.core.ConnectionState;
import dev.forwarder.core.ListenerSettings;
import dev.forwarder.core.Transport;
import dev.forwarder.core.testing.FixedChooser;
import dev.forwarder.core.testing.RecordingObserver;
import dev.forwarder.core.transport.TransportKit;
import io.netty.channel.Channel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.forwarder.core.ConnectionState.BACKEND_DONE;
import static dev.forwarder.core.ConnectionState.CLIENT_DONE;
import static dev.forwarder.core.ConnectionState.CONNECTING;
import static dev.forwarder.core.ConnectionState.OPEN;
import static dev.forwarder.core.relay.Wire.CLOSE;
import static dev.forwarder.core.relay.Wire.FIN;
import static dev.forwarder.core.relay.Wire.RESET;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The connection state machine without sockets: one {@link RelayConnection} between an {@code EmbeddedChannel}
 * client and backend channels whose connects the test completes, so that the orders of events a socket test cannot
 * force (a FIN before the connect, a connect failing after it, which side ends first, resets) are each played
 * exactly. The real-socket tests ({@link RelayHalfCloseTest}, {@link RelayAbortTest}, ...) check the same against
 * the kernel.
 */
class RelayStateMachineTest {

    private static final InetSocketAddress FIRST = new InetSocketAddress("192.0.2.1", 8080);
    private static final InetSocketAddress SECOND = new InetSocketAddress("192.0.2.2", 8080);

    private final FixedChooser chooser = new FixedChooser(FIRST, SECOND);
    private final RecordingObserver observer = new RecordingObserver();
    private final ConnectionRegistry registry = new ConnectionRegistry();
    private final List<TestBackendChannel> backends = new ArrayList<>();
    private EmbeddedClientChannel client;
    private RelayConnection connection;

    /** A client is accepted: the relay chooses {@link #FIRST} and starts connecting. */
    private void accept(int connectTries, Duration idleTimeout) {
        ListenerSettings settings = ListenerSettings.of("test",
                new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)).withIdleTimeout(idleTimeout);
        RelayContext context = new RelayContext(settings, chooser, observer, TransportKit.of(Transport.NIO),
                ConnectPolicy.ofTries(connectTries), null, registry, null, new TrafficSubscriptions(),
                this::newBackendChannel);
        client = new EmbeddedClientChannel(new RelayChannelInitializer(context));
        connection = (RelayConnection) client.pipeline().get(Pipelines.RELAY);
    }

    private void accept(int connectTries) {
        accept(connectTries, Duration.ZERO);
    }

    private Channel newBackendChannel(SocketAddress address) {
        TestBackendChannel channel = new TestBackendChannel(address, () -> client.runPendingTasks());
        backends.add(channel);
        return channel;
    }

    /** The channel of the relay's {@code n}-th connect try, from 0. */
    private TestBackendChannel backend(int n) {
        return backends.get(n);
    }

    private static ConnectException refused() {
        return new ConnectException("Connection refused");
    }

    private void assertClosed(CloseReason reason) {
        assertThat(connection.state()).isEqualTo(ConnectionState.CLOSED);
        assertThat(observer.closed).singleElement().extracting(RecordingObserver.Closed::reason).isEqualTo(reason);
        assertThat(registry.size()).isZero();
        assertThat(chooser.outstanding()).as("picks without an outcome").isZero();
    }

    /** Every connection here ends: by then each buffer a peer sent was written through or released. */
    @AfterEach
    void nothingUnhandledAndEveryBufferReleased() {
        try {
            client.checkException();
            assertThat(client.wire().unreleased()).as("client's buffers still held").isZero();
            backends.forEach(backend -> assertThat(backend.wire().unreleased()).as("buffers of " + backend
                    + " still held").isZero());
        } finally {
            // After a failed assertion: close what is open, so that no buffer leaks into the class's leak check.
            client.close();
            backends.forEach(Channel::close);
            client.runPendingTasks();
        }
    }

    // ---- before the connect -----------------------------------------------------------------------------------

    @Test
    void earlyBytesAndFinReachTheBackendInOrderOnceConnected() {
        accept(1);
        client.peerSends("GET / ");
        client.peerSends("HTTP/1.0");
        client.peerFin();
        assertThat(connection.state()).isEqualTo(CONNECTING);
        assertThat(backend(0).sent()).isEmpty();

        backend(0).connectSucceeds();
        assertThat(connection.state()).isEqualTo(CLIENT_DONE);
        assertThat(backend(0).sent()).containsExactly("GET / HTTP/1.0", FIN);

        backend(0).peerSends("200 OK");
        backend(0).peerFin();
        assertThat(client.sent()).containsExactly("200 OK", CLOSE);
        assertThat(backend(0).sent()).containsExactly("GET / HTTP/1.0", FIN, CLOSE);
        assertClosed(CloseReason.CLIENT_CLOSED);
        assertThat(observer.closed.get(0).bytesUp()).isEqualTo(14);
        assertThat(chooser.connected).hasValue(1);
        assertThat(chooser.released).hasValue(1);
    }

    @Test
    void earlyBytesThatFillTheBackendKeepTheClientPausedUntilTheBackendTakesThem() {
        accept(1);
        String early = "x".repeat(ListenerSettings.DEFAULT_HIGH_WATER_MARK + 1);
        client.peerSends(early);
        assertThat(client.config().isAutoRead()).as("reading while more than the high water mark waits").isFalse();
        backend(0).stallWrites(true);

        backend(0).connectSucceeds();
        assertThat(backend(0).isWritable()).isFalse();
        assertThat(client.config().isAutoRead()).as("reading a client while its backend is full").isFalse();
        assertThat(connection.flow()).startsWith("up: paused (backend full), pending ").endsWith("; down: reading, pending 0 B");

        backend(0).stallWrites(false);
        assertThat(backend(0).sent()).containsExactly(early);
        assertThat(client.config().isAutoRead()).isTrue();
        assertThat(connection.flow()).isEqualTo("up: reading, pending 0 B; down: reading, pending 0 B");
        client.peerResets();
    }

    @Test
    void clientFinWithNoBytesDuringTheConnectStillGetsWhatAServerFirstBackendSays() {
        // A banner check: connect, shut the output at once, read what the server says first (SMTP, MySQL, SSH).
        accept(1);
        client.peerFin();
        assertThat(connection.state()).isEqualTo(CONNECTING);

        backend(0).connectSucceeds();
        assertThat(backend(0).sent()).containsExactly(FIN);
        backend(0).peerSends("220 banner");
        backend(0).peerFin();

        assertThat(client.sent()).containsExactly("220 banner", CLOSE);
        assertClosed(CloseReason.CLIENT_CLOSED);
        assertThat(chooser.connected).hasValue(1);
        assertThat(chooser.connectFailed).hasValue(0);
    }

    @Test
    void clientResetDuringTheConnectAbandonsThePickWithoutBlamingTheBackend() {
        accept(1);
        client.peerResets();

        assertClosed(CloseReason.CLIENT_RESET);
        assertThat(backend(0).sent()).containsExactly(RESET);
        assertThat(chooser.abandoned).hasValue(1);
        assertThat(chooser.connectFailed).hasValue(0);
    }

    @Test
    void connectFailingAfterTheClientsFinTriesTheNextBackendWhichGetsTheBytesAndTheFin() {
        accept(2);
        client.peerSends("request");
        client.peerFin();
        backend(0).connectFails(refused());

        assertThat(connection.state()).isEqualTo(CONNECTING);
        assertThat(backend(0).sent()).containsExactly(CLOSE);
        assertThat(backend(1).backendAddress()).isEqualTo(SECOND);
        backend(1).connectSucceeds();
        assertThat(connection.state()).isEqualTo(CLIENT_DONE);
        assertThat(backend(1).sent()).containsExactly("request", FIN);

        backend(1).peerSends("answer");
        backend(1).peerFin();
        assertThat(client.sent()).containsExactly("answer", CLOSE);
        assertClosed(CloseReason.CLIENT_CLOSED);
        assertThat(observer.closed.get(0).failed()).isEqualTo(1);
        assertThat(chooser.chosen).hasValue(2);
        assertThat(chooser.connectFailed).hasValue(1);
        assertThat(chooser.connected).hasValue(1);
        assertThat(chooser.released).hasValue(1);
    }

    @Test
    void connectFailingOnTheLastTryClosesTheClientWithAFinNotAReset() {
        accept(2);
        client.peerSends("request");
        client.peerFin();
        backend(0).connectFails(refused());
        backend(1).connectFails(refused());

        assertClosed(CloseReason.CONNECT_FAILED);
        assertThat(client.sent()).containsExactly(CLOSE);
        assertThat(backend(0).sent()).containsExactly(CLOSE);
        assertThat(backend(1).sent()).containsExactly(CLOSE);
        assertThat(observer.closed.get(0).failed()).isEqualTo(2);
        assertThat(chooser.connectFailed).hasValue(2);
        assertThat(chooser.connected).hasValue(0);
        assertThat(chooser.abandoned).hasValue(0);
    }

    // ---- half-close and close ordering ---------------------------------------------------------------------------

    @Test
    void backendFinThenClientFinEndsNormallyAsBackendClosed() {
        accept(1);
        backend(0).connectSucceeds();
        assertThat(connection.state()).isEqualTo(OPEN);
        client.peerSends("question ");
        backend(0).peerSends("answer");
        backend(0).peerFin();
        assertThat(connection.state()).isEqualTo(BACKEND_DONE);
        assertThat(client.sent()).containsExactly("answer", FIN);

        // The client's bytes still flow; its output was shut, so its own FIN closes it (no half-closure left).
        client.peerSends("and more");
        client.peerFin();
        assertThat(client.sent()).containsExactly("answer", FIN, CLOSE);
        assertThat(backend(0).sent()).containsExactly("question and more", CLOSE);
        assertClosed(CloseReason.BACKEND_CLOSED);
        assertThat(chooser.released).hasValue(1);
    }

    @Test
    void clientFinThenBackendFinEndsNormallyAsClientClosed() {
        accept(1);
        backend(0).connectSucceeds();
        client.peerSends("request");
        client.peerFin();
        assertThat(connection.state()).isEqualTo(CLIENT_DONE);
        assertThat(backend(0).sent()).containsExactly("request", FIN);

        backend(0).peerSends("answer");
        backend(0).peerFin();
        assertThat(backend(0).sent()).containsExactly("request", FIN, CLOSE);
        assertThat(client.sent()).containsExactly("answer", CLOSE);
        assertClosed(CloseReason.CLIENT_CLOSED);
    }

    @Test
    void backendFinWhileTheClientsBytesStillWaitForItClosesOnlyOnceTheyAndTheFinAreThrough() {
        accept(1);
        backend(0).connectSucceeds();
        // The backend reads slowly: the client's last bytes, and so its FIN, wait in the relay.
        backend(0).stallWrites(true);
        client.peerSends("upload");
        client.peerFin();
        assertThat(connection.state()).isEqualTo(CLIENT_DONE);
        assertThat(backend(0).sent()).isEmpty();

        // The backend is done sending before it has read everything; half-closure still on, as its output is not shut.
        backend(0).peerSends("answer");
        backend(0).peerFin();
        backend(0).stallWrites(false);

        assertThat(backend(0).sent()).containsExactly("upload", FIN, CLOSE);
        assertThat(client.sent()).containsExactly("answer", CLOSE);
        assertClosed(CloseReason.CLIENT_CLOSED);
    }

    @Test
    void backendClosingWithoutAFinWhileOpenIsAnAbort() {
        // Netty closes a channel without a FIN only after a failure: the client must not see a clean end.
        accept(1);
        backend(0).connectSucceeds();
        client.peerSends("request");
        backend(0).close();
        backend(0).runPendingTasks();

        assertClosed(CloseReason.BACKEND_RESET);
        assertThat(client.sent()).containsExactly(RESET);
    }

    // ---- resets --------------------------------------------------------------------------------------------------

    @Test
    void clientResetWhileOpenResetsTheBackend() {
        accept(1);
        backend(0).connectSucceeds();
        client.peerSends("upload");
        client.peerResets();

        assertClosed(CloseReason.CLIENT_RESET);
        assertThat(backend(0).sent()).containsExactly("upload", RESET);
        assertThat(client.sent()).containsExactly(CLOSE);
        assertThat(chooser.released).hasValue(1);
    }

    @Test
    void backendResetAfterTheClientsFinResetsTheClient() {
        accept(1);
        backend(0).connectSucceeds();
        client.peerSends("request");
        client.peerFin();
        backend(0).peerSends("part of the answer");
        backend(0).peerResets();

        assertClosed(CloseReason.BACKEND_RESET);
        assertThat(client.sent()).containsExactly("part of the answer", RESET);
        assertThat(backend(0).sent()).containsExactly("request", FIN, CLOSE);
    }

    @ParameterizedTest
    @EnumSource(value = CloseReason.class, names = {"SHUTDOWN", "ADMIN"})
    void closeFromOutsideResetsBothSides(CloseReason reason) {
        accept(1);
        backend(0).connectSucceeds();
        client.peerSends("request");
        backend(0).peerSends("answer");
        connection.close(reason);
        client.runPendingTasks();

        assertClosed(reason);
        assertThat(client.sent()).containsExactly("answer", RESET);
        assertThat(backend(0).sent()).containsExactly("request", RESET);
    }

    @ParameterizedTest
    @EnumSource(value = CloseReason.class, names = {"SHUTDOWN", "ADMIN"})
    void anAbortStillCutsANormalEndWhoseLastBytesNeverLeave(CloseReason reason) {
        accept(1);
        backend(0).connectSucceeds();
        backend(0).stallWrites(true);
        client.peerSends("upload");
        client.peerFin();
        backend(0).peerFin();
        assertThat(connection.state()).isEqualTo(ConnectionState.CLOSING);

        connection.close(reason);
        client.runPendingTasks();

        assertClosed(reason);
        assertThat(backend(0).sent()).containsExactly(RESET);
    }

    @Test
    void idleTimeoutCutsANormalEndWhoseLastBytesNeverLeave() {
        accept(1, Duration.ofMillis(50));
        backend(0).connectSucceeds();
        backend(0).stallWrites(true);
        client.peerSends("upload");
        client.peerFin();
        backend(0).peerFin();
        awaitClosed();

        assertClosed(CloseReason.IDLE_TIMEOUT);
        assertThat(backend(0).sent()).containsExactly(RESET);
    }

    @Test
    void aClientResetFoundWhileWritingToItIsAnAbortThoughNettyClosesItFirst() {
        accept(1);
        backend(0).connectSucceeds();
        client.peerSends("request");
        client.peerFin();
        backend(0).peerSends("the first part of a long answer");
        client.peerResetFoundOnWrite();

        assertClosed(CloseReason.CLIENT_RESET);
        assertThat(backend(0).sent()).containsExactly("request", FIN, RESET);
    }

    @Test
    void aBackendResetFoundWhileWritingTheTailOfAnUploadIsAnAbort() {
        accept(1);
        backend(0).connectSucceeds();
        backend(0).peerSends("answer");
        backend(0).peerFin();
        backend(0).stallWrites(true);
        client.peerSends("the tail of an upload");
        backend(0).peerResetFoundOnWrite();

        assertClosed(CloseReason.BACKEND_RESET);
        assertThat(client.sent()).containsExactly("answer", FIN, RESET);
    }

    // ---- idle timeout ------------------------------------------------------------------------------------------

    @Test
    void idleTimeoutWithNothingQueuedClosesBothSidesPlainly() {
        accept(1, Duration.ofMillis(50));
        backend(0).connectSucceeds();
        client.peerSends("ping");
        backend(0).peerSends("pong");
        awaitClosed();

        assertClosed(CloseReason.IDLE_TIMEOUT);
        assertThat(client.sent()).containsExactly("pong", CLOSE);
        assertThat(backend(0).sent()).containsExactly("ping", CLOSE);
    }

    @Test
    void idleTimeoutWithBytesQueuedResetsBothSides() {
        accept(1, Duration.ofMillis(50));
        backend(0).connectSucceeds();
        backend(0).stallWrites(true);
        client.peerSends("never taken");
        awaitClosed();

        assertClosed(CloseReason.IDLE_TIMEOUT);
        assertThat(client.sent()).containsExactly(RESET);
        assertThat(backend(0).sent()).containsExactly(RESET);
    }

    /**
     * Advances the loop's clock while real time passes, until the connection closed. Both are needed: the loop's
     * clock runs the idle timer, which then measures idleness with {@code System.nanoTime()}.
     */
    private void awaitClosed() {
        await().pollInSameThread().pollInterval(Duration.ofMillis(10)).atMost(Duration.ofSeconds(5)).until(() -> {
            client.advanceTimeBy(10, TimeUnit.MILLISECONDS);
            client.runPendingTasks();
            return connection.state() == ConnectionState.CLOSED;
        });
    }
}
