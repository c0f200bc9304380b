package dev.forwarder.core.relay;

import dev.forwarder.core.CloseReason;
import dev.forwarder.core.ListenerSettings;
import dev.forwarder.core.Transport;
import dev.forwarder.core.access.AccessSettings;
import dev.forwarder.core.access.Cidr;
import dev.forwarder.core.testing.BlockingServer;
import dev.forwarder.core.testing.FixedChooser;
import dev.forwarder.core.testing.RecordingObserver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Allow/deny, limits and the first-byte timeout with real sockets from several loopback source addresses. */
class RelayAccessTest {

    private static Socket from(String source, RelayFixture relay) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
        socket.connect(relay.listener.localAddress(), 5_000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    /** Whether the relay answers an echo through to the backend: 'x' comes back. */
    private static boolean echoes(Socket socket) {
        try {
            socket.getOutputStream().write('x');
            return socket.getInputStream().read() == 'x';
        } catch (IOException refused) {
            return false;
        }
    }

    /** Whether the relay ended the connection without relaying: end of stream or a reset. */
    private static boolean refused(Socket socket) {
        try {
            InputStream in = socket.getInputStream();
            return in.read() < 0;
        } catch (IOException reset) {
            return true;
        }
    }

    /** Connects from {@code source} and reads: whether the relay ended it at once (a reset may beat the connect). */
    private static boolean refusedFrom(String source, RelayFixture relay) {
        try (Socket socket = from(source, relay)) {
            return refused(socket);
        } catch (IOException reset) {
            return true;
        }
    }

    private static ListenerSettings with(AccessSettings access) {
        return RelayFixture.settings().withAccess(access);
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING", "NIO"})
    void allowAndDenyRefuseAtAcceptAndDenyWins(Transport transport) throws Exception {
        AccessSettings access = AccessSettings.NONE
                .withAllow(List.of(Cidr.parse("127.0.0.0/30"), Cidr.parse("::1")))
                .withDeny(List.of(Cidr.parse("127.0.0.3")));
        RecordingObserver observer = new RecordingObserver();
        try (BlockingServer backend = BlockingServer.echo();
             RelayFixture relay = new RelayFixture(transport, with(access), new FixedChooser(backend.address()),
                     observer, 1);
             Socket allowed = from("127.0.0.2", relay)) {
            assertThat(echoes(allowed)).isTrue();
            assertThat(refusedFrom("127.0.0.3", relay)).isTrue();
            assertThat(refusedFrom("127.0.0.5", relay)).isTrue();
            assertThat(backend.accepted()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(5)).until(() -> observer.rejected.size() == 2);
            assertThat(observer.rejected).containsExactlyInAnyOrder("127.0.0.3 denied", "127.0.0.5 denied");
            // Refused clients are no connections: not accepted, not closed, no backend chosen for them.
            assertThat(observer.accepted).hasValue(1);
        }
    }

    @Test
    void ipv6ClientsAreCheckedToo() throws Exception {
        AccessSettings access = AccessSettings.NONE.withDeny(List.of(Cidr.parse("::1/128")));
        RecordingObserver observer = new RecordingObserver();
        ListenerSettings settings = ListenerSettings.of("v6", new InetSocketAddress("::1", 0)).withAccess(access);
        try (BlockingServer backend = BlockingServer.echo();
             RelayFixture relay = new RelayFixture(Transport.AUTO, settings, new FixedChooser(backend.address()),
                     observer, 1)) {
            assertThat(refusedFrom("::1", relay)).isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> observer.rejected.size() == 1);
            assertThat(observer.rejected.get(0)).endsWith(" denied");
            assertThat(backend.accepted()).isZero();
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING", "NIO"})
    void maxConnectionsPerClientCountsEachSourceAddress(Transport transport) throws Exception {
        AccessSettings access = AccessSettings.NONE.withLimits(0, 2, 0);
        RecordingObserver observer = new RecordingObserver();
        FixedChooser chooser;
        try (BlockingServer backend = BlockingServer.echo();
             RelayFixture relay = new RelayFixture(transport, with(access),
                     chooser = new FixedChooser(backend.address()), observer, 1)) {
            List<Socket> open = new ArrayList<>();
            try {
                open.add(from("127.0.0.2", relay));
                open.add(from("127.0.0.2", relay));
                open.add(from("127.0.0.3", relay));
                for (Socket socket : open) {
                    assertThat(echoes(socket)).isTrue();
                }
                assertThat(refusedFrom("127.0.0.2", relay)).isTrue();
                assertThat(observer.rejected).containsExactly("127.0.0.2 max-connections-per-client");
                assertThat(backend.accepted()).isEqualTo(3);
                open.remove(0).close();
                await().atMost(Duration.ofSeconds(5)).until(() -> observer.closed.size() == 1);
                try (Socket again = from("127.0.0.2", relay)) {
                    assertThat(echoes(again)).isTrue();
                }
            } finally {
                for (Socket socket : open) {
                    socket.close();
                }
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> chooser.outstanding() == 0);
            // Refusals never count against a backend.
            assertThat(chooser.connectFailed).hasValue(0);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING", "NIO"})
    void maxConnectionsCountsTheWholeListener(Transport transport) throws Exception {
        AccessSettings access = AccessSettings.NONE.withLimits(2, 0, 0);
        RecordingObserver observer = new RecordingObserver();
        try (BlockingServer backend = BlockingServer.echo();
             RelayFixture relay = new RelayFixture(transport, with(access), new FixedChooser(backend.address()),
                     observer, 1);
             Socket a = from("127.0.0.2", relay);
             Socket b = from("127.0.0.3", relay)) {
            assertThat(echoes(a)).isTrue();
            assertThat(echoes(b)).isTrue();
            assertThat(refusedFrom("127.0.0.4", relay)).isTrue();
            assertThat(observer.rejected).containsExactly("127.0.0.4 max-connections");
            assertThat(backend.accepted()).isEqualTo(2);
        }
    }

    @Test
    void acceptRatePerClientRefusesTheConnectionsOverTheBucket() throws Exception {
        AccessSettings access = AccessSettings.NONE.withLimits(0, 0, 3);
        RecordingObserver observer = new RecordingObserver();
        try (BlockingServer backend = BlockingServer.echo();
             RelayFixture relay = new RelayFixture(Transport.AUTO, with(access),
                     new FixedChooser(backend.address()), observer, 1)) {
            int passed = 0;
            for (int i = 0; i < 6; i++) {
                try (Socket socket = from("127.0.0.2", relay)) {
                    passed += echoes(socket) ? 1 : 0;
                } catch (IOException reset) {
                    // refused before the connect returned
                }
            }
            // A bucket of 3 refills one token a third of a second: 3 pass at once, at most one more in the loop.
            assertThat(passed).isBetween(3, 4);
            try (Socket other = from("127.0.0.3", relay)) {
                assertThat(echoes(other)).isTrue();
            }
            assertThat(observer.rejected).allMatch(r -> r.equals("127.0.0.2 accept-rate-per-client"))
                    .hasSize(6 - passed);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING", "NIO"})
    void firstByteTimeoutClosesASilentClientAndLeavesATalkingOneAlone(Transport transport) throws Exception {
        AccessSettings access = AccessSettings.NONE.withFirstByteTimeout(Duration.ofMillis(300));
        RecordingObserver observer = new RecordingObserver();
        FixedChooser chooser;
        try (BlockingServer backend = BlockingServer.echo();
             RelayFixture relay = new RelayFixture(transport, with(access),
                     chooser = new FixedChooser(backend.address()), observer, 1);
             Socket silent = relay.connect();
             Socket talking = relay.connect()) {
            assertThat(echoes(talking)).isTrue();
            assertThat(refused(silent)).isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> observer.closed.size() == 1);
            assertThat(observer.closed.get(0).reason()).isEqualTo(CloseReason.FIRST_BYTE_TIMEOUT);
            // The silent one never got a backend: one pick, one backend connection.
            assertThat(chooser.chosen).hasValue(1);
            assertThat(backend.accepted()).isEqualTo(1);
            // Long after the timeout, the talking one still relays.
            await().pollDelay(Duration.ofMillis(400)).atMost(Duration.ofSeconds(5)).until(() -> true);
            assertThat(echoes(talking)).isTrue();
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING", "NIO"})
    void withAccessRulesButNoTimeoutThePipelineHoldsOnlyTheRelay(Transport transport) throws Exception {
        AccessSettings access = AccessSettings.NONE.withAllow(List.of(Cidr.parse("127.0.0.0/8")))
                .withLimits(10, 10, 100);
        try (BlockingServer backend = BlockingServer.echo();
             RelayFixture relay = new RelayFixture(transport, with(access), new FixedChooser(backend.address()),
                     new RecordingObserver(), 1);
             Socket client = relay.connect()) {
            assertThat(echoes(client)).isTrue();
            assertThat(relay.listener.clientChannels().get(0).pipeline().toMap().keySet())
                    .containsExactly(Pipelines.RELAY);
        }
    }
}
