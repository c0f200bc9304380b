package dev.forwarder.core.relay;

import dev.forwarder.core.Addresses;
import dev.forwarder.core.CloseReason;
import dev.forwarder.core.ConnectionInfo;
import dev.forwarder.core.ConnectionObserver;
import dev.forwarder.core.ConnectionSnapshot;
import dev.forwarder.core.ConnectionState;
import dev.forwarder.core.Transport;
import dev.forwarder.core.testing.BlockingServer;
import dev.forwarder.core.testing.FixedChooser;
import dev.forwarder.core.testing.RecordingObserver;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.Socket;
import java.net.SocketException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The live connections of a listener, seen and steered from a thread that is not an event loop. */
class ConnectionRegistryTest {

    private static final int CONNECTIONS = 1000;

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING", "NIO"})
    void thousandOpenConnectionsAreListedWithTheirBytesAndOneIsClosedById(Transport transport) throws Exception {
        RecordingObserver observer = new RecordingObserver();
        List<Socket> clients = new ArrayList<>();
        try (BlockingServer backend = BlockingServer.start(
                socket -> socket.getInputStream().transferTo(socket.getOutputStream()), CONNECTIONS);
             RelayFixture relay = new RelayFixture(transport, RelayFixture.settings(),
                     new FixedChooser(backend.address()), observer, 1)) {
            Map<String, Integer> sentBy = new HashMap<>();
            try {
                for (int i = 0; i < CONNECTIONS; i++) {
                    Socket client = relay.connect();
                    clients.add(client);
                    int size = 1 + i % 200;
                    client.getOutputStream().write(new byte[size]);
                    sentBy.put(Addresses.format(client.getLocalSocketAddress()), size);
                }
                for (int i = 0; i < CONNECTIONS; i++) {
                    assertThat(clients.get(i).getInputStream().readNBytes(1 + i % 200)).hasSize(1 + i % 200);
                }

                List<ConnectionSnapshot> listed = relay.listener.connections();

                assertThat(listed).hasSize(CONNECTIONS);
                assertThat(listed).allSatisfy(c -> {
                    assertThat(c.listener()).isEqualTo("test");
                    assertThat(c.state()).isEqualTo(ConnectionState.OPEN);
                    assertThat(c.backend()).isEqualTo(Addresses.format(backend.address()));
                    assertThat(c.bytesUp()).isEqualTo(sentBy.get(c.client()).longValue());
                    assertThat(c.bytesDown()).isEqualTo(sentBy.get(c.client()).longValue());
                });
                assertThat(listed).extracting(ConnectionSnapshot::id).doesNotHaveDuplicates();
                assertThat(relay.listener.connections(c -> c.bytesUp() == 200, 3)).hasSize(3)
                        .allSatisfy(c -> assertThat(c.bytesUp()).isEqualTo(200));

                ConnectionSnapshot chosen = listed.get(CONNECTIONS / 2);
                assertThat(relay.listener.close(chosen.id())).isTrue();
                Socket victim = clients.stream()
                        .filter(s -> Addresses.format(s.getLocalSocketAddress()).equals(chosen.client()))
                        .findFirst().orElseThrow();
                assertThatThrownBy(() -> victim.getInputStream().read()).isInstanceOf(SocketException.class);
                await().atMost(Duration.ofSeconds(5)).until(() -> observer.closed.size() == 1);
                assertThat(observer.closed.get(0).id()).isEqualTo(chosen.id());
                assertThat(observer.closed.get(0).reason()).isEqualTo(CloseReason.ADMIN);
                assertThat(relay.listener.connections()).hasSize(CONNECTIONS - 1)
                        .noneMatch(c -> c.id().equals(chosen.id()));
                assertThat(relay.listener.close(chosen.id())).isFalse();
            } finally {
                for (Socket client : clients) {
                    client.close();
                }
            }
        }
    }

    /**
     * The registry hears a close last: the listener's own observer (metrics, and the connection log composed after
     * it) sees the connection still listed, so whoever waits for the listener to empty (a drain, the demo muting
     * its own lines) finds every observer done with it.
     */
    @Test
    void aConnectionLeavesTheRegistryOnlyAfterTheObserversHeardItClose() throws Exception {
        AtomicReference<RelayFixture> fixture = new AtomicReference<>();
        List<Integer> listedAtClose = new CopyOnWriteArrayList<>();
        ConnectionObserver observer = new ConnectionObserver() {
            @Override
            public void closed(ConnectionInfo connection) {
                listedAtClose.add(fixture.get().listener.activeConnections());
            }
        };
        try (BlockingServer backend = BlockingServer.start(socket -> socket.getOutputStream().write('x'), 1);
             RelayFixture relay = new RelayFixture(Transport.AUTO, RelayFixture.settings(),
                     new FixedChooser(backend.address()), observer, 1)) {
            fixture.set(relay);
            try (Socket client = relay.connect()) {
                assertThat(client.getInputStream().read()).isEqualTo('x');
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> relay.listener.activeConnections() == 0);
            assertThat(listedAtClose).containsExactly(1);
        }
    }
}
