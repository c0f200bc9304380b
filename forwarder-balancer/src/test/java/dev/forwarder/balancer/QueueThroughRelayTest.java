package dev.forwarder.balancer;

import dev.forwarder.core.BoundListener;
import dev.forwarder.core.CloseReason;
import dev.forwarder.core.ConnectPolicy;
import dev.forwarder.core.ListenerSettings;
import dev.forwarder.core.RelayServer;
import dev.forwarder.core.Transport;
import dev.forwarder.core.testing.BlockingServer;
import dev.forwarder.core.testing.RecordingObserver;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The wait queue of a pool with connection limits, through the real relay: a client that leaves the queue is gone
 * from it at once, and waiting clients are served in the order they came.
 */
class QueueThroughRelayTest {

    private static final ConnectPolicy QUEUE_30S = new ConnectPolicy(1, Duration.ofSeconds(30), Duration.ofSeconds(30));

    private record Relay(RelayServer server, BoundListener listener, Pool pool) implements AutoCloseable {
        Socket connect() throws Exception {
            Socket socket = new Socket();
            socket.connect(listener.localAddress(), 5_000);
            socket.setSoTimeout(30_000);
            return socket;
        }

        @Override
        public void close() {
            pool.close();
            server.close();
        }
    }

    /** One backend that takes one connection at a time; each session records the first byte its client sent. */
    private static Relay relay(Transport transport, BlockingServer backend, RecordingObserver observer)
            throws Exception {
        InetSocketAddress address = backend.address();
        Pool pool = Pool.builder("q", BalancingStrategy.roundRobin(),
                        List.of(new BackendSpec(address.getHostString(), address.getPort(), 1, false)))
                .settings(PoolSettings.STATIC.withMaxConnections(1)).connectPolicy(QUEUE_30S).build();
        RelayServer server = RelayServer.start(transport, 2);
        BoundListener listener = server.bind(
                ListenerSettings.of("q", new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)), pool, observer);
        return new Relay(server, listener, pool);
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void aClientThatLeavesTheQueueIsGoneFromItAtOnce(Transport transport) throws Exception {
        RecordingObserver observer = new RecordingObserver();
        try (BlockingServer backend = BlockingServer.echo();
             Relay relay = relay(transport, backend, observer);
             Socket holder = relay.connect()) {
            holder.getOutputStream().write('a');
            assertThat(holder.getInputStream().read()).isEqualTo('a');
            for (int i = 1; i <= 5; i++) {
                Socket impatient = relay.connect();
                int queued = 1;
                await().atMost(Duration.ofSeconds(5)).until(() -> relay.pool().waiting() == queued);
                if (i % 2 == 0) {
                    impatient.setSoLinger(true, 0);
                }
                impatient.close();
                await().atMost(Duration.ofSeconds(2)).until(() -> relay.pool().waiting() == 0);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> observer.closed.size() == 5);
            assertThat(relay.pool().members().get(0).activeConnections()).isEqualTo(1);
            // The holder still relays, and the slot it frees goes to nobody who left.
            holder.getOutputStream().write('b');
            assertThat(holder.getInputStream().read()).isEqualTo('b');
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void waitingClientsAreServedInTheOrderTheyCame(Transport transport) throws Exception {
        List<Integer> servedOrder = new CopyOnWriteArrayList<>();
        RecordingObserver observer = new RecordingObserver();
        try (BlockingServer backend = BlockingServer.start(socket -> {
            int first = socket.getInputStream().read();
            servedOrder.add(first);
            socket.getOutputStream().write(first);
            socket.getInputStream().transferTo(socket.getOutputStream());
        });
             Relay relay = relay(transport, backend, observer)) {
            List<Socket> clients = new ArrayList<>();
            try {
                for (int i = 0; i < 5; i++) {
                    Socket client = relay.connect();
                    client.getOutputStream().write('0' + i);
                    clients.add(client);
                    int queued = i;
                    await().atMost(Duration.ofSeconds(5)).until(() -> relay.pool().waiting() == queued);
                }
                for (int i = 0; i < 5; i++) {
                    assertThat(clients.get(i).getInputStream().read()).isEqualTo('0' + i);
                    clients.get(i).close();
                }
                assertThat(servedOrder).containsExactly((int) '0', (int) '1', (int) '2', (int) '3', (int) '4');
                await().atMost(Duration.ofSeconds(5)).until(() -> observer.closed.size() == 5);
                assertThat(observer.closed).extracting(RecordingObserver.Closed::reason)
                        .doesNotContain(CloseReason.QUEUE_TIMEOUT, CloseReason.QUEUE_FULL);
                assertThat(relay.pool().waiting()).isZero();
            } finally {
                for (Socket client : clients) {
                    client.close();
                }
            }
        }
    }
}
