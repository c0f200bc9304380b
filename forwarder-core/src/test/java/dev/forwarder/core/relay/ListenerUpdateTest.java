package dev.forwarder.core.relay;

import dev.forwarder.core.BoundListener;
import dev.forwarder.core.CloseReason;
import dev.forwarder.core.ConnectPolicy;
import dev.forwarder.core.ListenerSettings;
import dev.forwarder.core.Transport;
import dev.forwarder.core.testing.BlockingServer;
import dev.forwarder.core.testing.FixedChooser;
import dev.forwarder.core.testing.RecordingObserver;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A bound listener changed in place: new connections follow the new settings, open ones carry on. */
class ListenerUpdateTest {

    private static BlockingServer named(String name) {
        return BlockingServer.start(socket -> {
            socket.getOutputStream().write((name + "\n").getBytes(StandardCharsets.US_ASCII));
            socket.getInputStream().transferTo(socket.getOutputStream());
        });
    }

    private static String greeting(Socket client) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c; (c = client.getInputStream().read()) != '\n'; ) {
            line.append((char) c);
        }
        return line.toString();
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING", "NIO"})
    void newConnectionsFollowTheNewChooserWhileOpenOnesCarryOn(Transport transport) throws Exception {
        try (BlockingServer a = named("a"); BlockingServer b = named("b")) {
            RecordingObserver before = new RecordingObserver();
            RecordingObserver after = new RecordingObserver();
            try (RelayFixture relay = new RelayFixture(transport, RelayFixture.settings(),
                    new FixedChooser(a.address()), before, 1);
                 Socket old = relay.connect()) {
                assertThat(greeting(old)).isEqualTo("a");
                relay.listener.update(relay.listener.settings().withIdleTimeout(Duration.ofMinutes(5)),
                        new FixedChooser(b.address()), after, ConnectPolicy.DEFAULT, null);
                try (Socket fresh = relay.connect()) {
                    assertThat(greeting(fresh)).isEqualTo("b");
                }
                old.getOutputStream().write("still here\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(greeting(old)).isEqualTo("still here");
                assertThat(relay.listener.settings().idleTimeout()).isEqualTo(Duration.ofMinutes(5));
                await().atMost(Duration.ofSeconds(5)).until(() -> after.closed.size() == 1);
                assertThat(before.closed).isEmpty();
                assertThat(relay.listener.activeConnections()).isEqualTo(1);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING"})
    void aNewBacklogSwapsTheSocketsWithoutRefusingAClient(Transport transport) throws Exception {
        try (BlockingServer backend = named("a")) {
            FixedChooser chooser = new FixedChooser(backend.address());
            try (RelayFixture relay = new RelayFixture(transport, RelayFixture.settings(), chooser,
                    new RecordingObserver(), 1)) {
                BoundListener listener = relay.listener;
                AtomicBoolean stop = new AtomicBoolean();
                AtomicInteger served = new AtomicInteger();
                AtomicInteger refused = new AtomicInteger();
                CompletableFuture<Void> clients = CompletableFuture.runAsync(() -> {
                    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
                    while (!stop.get() && System.nanoTime() < end) {
                        try (Socket client = relay.connect()) {
                            assertThat(greeting(client)).isEqualTo("a");
                            served.incrementAndGet();
                        } catch (IOException | RuntimeException e) {
                            refused.incrementAndGet();
                        }
                    }
                });
                for (int backlog = 100; backlog < 105; backlog++) {
                    int before = served.get();
                    await().atMost(Duration.ofSeconds(5)).until(() -> served.get() > before + 20);
                    listener.update(listener.settings().withBacklog(backlog), chooser, new RecordingObserver(),
                            ConnectPolicy.DEFAULT, null);
                    assertThat(listener.settings().backlog()).isEqualTo(backlog);
                }
                int last = served.get();
                await().atMost(Duration.ofSeconds(5)).until(() -> served.get() > last + 20);
                stop.set(true);
                clients.get(30, TimeUnit.SECONDS);
                assertThat(refused).hasValue(0);
                // The kernel's own view (ss: Send-Q of a listening socket is its backlog), one line per loop.
                assertThat(listenBacklogs(listener.localAddress().getPort())).hasSize(2).containsOnly(104);
            }
        }
    }

    private static java.util.List<Integer> listenBacklogs(int port) throws Exception {
        Process ss = new ProcessBuilder("ss", "-ltnH", "sport = :" + port).redirectErrorStream(true).start();
        String out = new String(ss.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertThat(ss.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return out.lines().filter(line -> !line.isBlank())
                .map(line -> Integer.parseInt(line.trim().split("\\s+")[2])).toList();
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING", "NIO"})
    void anUnboundListenerRefusesNewClientsAndDrainsItsOpenOnes(Transport transport) throws Exception {
        try (BlockingServer backend = named("a")) {
            RecordingObserver observer = new RecordingObserver();
            try (RelayFixture relay = new RelayFixture(transport, RelayFixture.settings(),
                    new FixedChooser(backend.address()), observer, 1)) {
                Socket open = relay.connect();
                assertThat(greeting(open)).isEqualTo("a");
                Socket cut = relay.connect();
                assertThat(greeting(cut)).isEqualTo("a");
                CompletableFuture<Integer> unbound = relay.server.unbind(relay.listener, Duration.ofMillis(800));
                await().atMost(Duration.ofSeconds(5)).until(() -> !relay.listener.isAccepting());
                // The one that finishes within the drain period ends normally; the other is cut at its end.
                open.getOutputStream().write("bye\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(greeting(open)).isEqualTo("bye");
                open.close();
                assertThat(unbound.get(10, TimeUnit.SECONDS)).isEqualTo(1);
                assertThat(observer.closed).extracting(RecordingObserver.Closed::reason)
                        .containsExactlyInAnyOrder(CloseReason.CLIENT_CLOSED, CloseReason.SHUTDOWN);
                assertThat(relay.server.listeners()).isEmpty();
                cut.close();
            }
        }
    }
}
