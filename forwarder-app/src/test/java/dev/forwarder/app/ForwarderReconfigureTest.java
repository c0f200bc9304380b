package dev.forwarder.app;

import dev.forwarder.app.config.ConfigLoader;
import dev.forwarder.app.config.ForwarderConfig;
import dev.forwarder.balancer.MemberState;
import dev.forwarder.balancer.PoolMember;
import dev.forwarder.core.ConnectionSnapshot;
import dev.forwarder.core.ListenerBindException;
import dev.forwarder.core.testing.BlockingServer;
import dev.forwarder.core.testing.Streams;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * A forwarder reconfigured in place while it streams: backends added and removed, strategy and weights changed, a
 * second listener added and removed, and a config that cannot be applied. No stream of the unchanged listener is
 * cut or corrupted, and new connections follow the newest config.
 */
class ForwarderReconfigureTest {

    private static final int STREAMS = 50;
    private static final long SIZE = 64L << 20;

    private static BlockingServer echo() {
        return BlockingServer.start(socket -> socket.getInputStream().transferTo(socket.getOutputStream()), 200);
    }

    private static String backend(BlockingServer server, int weight) {
        return "{ address = \"127.0.0.1:" + server.address().getPort() + "\", weight = " + weight + " }";
    }

    private static ForwarderConfig config(int webPort, String strategy, String backends, String extraListener) {
        return ConfigLoader.parse("""
                forwarder {
                  io-threads = 2
                  shutdown-timeout = 2s
                  listeners {
                    web { bind = "127.0.0.1:%d", pool = web }
                    %s
                  }
                  pools { web { strategy = %s, backends = [ %s ] } }
                }
                """.formatted(webPort, extraListener, strategy, backends), "reconfigure-test");
    }

    /** One stream: 64 MiB up, echoed back, hashed on both ends. */
    private record Stream(Socket socket, CompletableFuture<String> sent, CompletableFuture<Streams.Drained> echoed) {
    }

    private static Stream stream(InetSocketAddress address, long seed, ExecutorService threads) throws IOException {
        Socket socket = new Socket();
        socket.connect(address, 5_000);
        socket.setSoTimeout(60_000);
        CompletableFuture<String> sent = CompletableFuture.supplyAsync(() -> {
            try {
                String digest = Streams.send(socket.getOutputStream(), SIZE, seed);
                socket.shutdownOutput();
                return digest;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, threads);
        CompletableFuture<Streams.Drained> echoed = CompletableFuture.supplyAsync(() -> {
            try {
                return Streams.drain(socket.getInputStream());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, threads);
        return new Stream(socket, sent, echoed);
    }

    /** A short connection: which backend took it is read from the registry while it is open. */
    private static String backendOfANewConnection(Forwarder forwarder, String listener) throws IOException {
        try (Socket probe = new Socket()) {
            probe.connect(forwarder.listenerAddress(listener), 5_000);
            probe.setSoTimeout(10_000);
            probe.getOutputStream().write('x');
            assertThat(probe.getInputStream().read()).isEqualTo('x');
            String local = dev.forwarder.core.Addresses.format(probe.getLocalSocketAddress());
            return forwarder.listener(listener).connections(c -> c.client().equals(local), 1).get(0).backend();
        }
    }

    private static Set<String> backendsOfNewConnections(Forwarder forwarder, String listener, int count)
            throws IOException {
        Set<String> seen = new java.util.HashSet<>();
        for (int i = 0; i < count; i++) {
            seen.add(backendOfANewConnection(forwarder, listener));
        }
        return seen;
    }

    private static String name(BlockingServer server) {
        return "127.0.0.1:" + server.address().getPort();
    }

    @Test
    void reconfigurationsUnderLoadCutNoStreamAndNewConnectionsFollowTheNewestConfig() throws Exception {
        ExecutorService threads = Executors.newCachedThreadPool();
        try (BlockingServer a = echo(); BlockingServer b = echo(); BlockingServer c = echo();
             ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            ForwarderConfig first = config(0, "round-robin", backend(a, 1) + ", " + backend(b, 1), "");
            try (Forwarder forwarder = Forwarder.start(first)) {
                int webPort = forwarder.listenerAddress("web").getPort();
                List<Stream> streams = new ArrayList<>();
                for (int i = 0; i < STREAMS; i++) {
                    streams.add(stream(forwarder.listenerAddress("web"), i, threads));
                }
                await().atMost(Duration.ofSeconds(30))
                        .until(() -> forwarder.listener("web").connections().stream()
                                .allMatch(s -> s.bytesUp() > 0) && forwarder.listener("web").activeConnections() == STREAMS);
                List<String> ids = forwarder.listener("web").connections().stream().map(ConnectionSnapshot::id).toList();

                // 1. A third backend joins.
                Reconfiguration added = forwarder.apply(config(webPort, "round-robin",
                        backend(a, 1) + ", " + backend(b, 1) + ", " + backend(c, 1), ""));
                assertThat(added.poolsChanged()).containsKey("web");
                assertThat(backendsOfNewConnections(forwarder, "web", 6)).contains(name(c));

                // 2. The first one leaves: its open streams drain, no new connection goes to it.
                forwarder.apply(config(webPort, "round-robin", backend(b, 1) + ", " + backend(c, 1), ""));
                assertThat(backendsOfNewConnections(forwarder, "web", 6)).containsOnly(name(b), name(c));
                assertThat(forwarder.pool("web").members()).filteredOn(m -> m.name().equals(name(a)))
                        .allSatisfy(m -> assertThat(m.state()).isEqualTo(MemberState.DRAINING));

                // 3. Another strategy and weights.
                forwarder.apply(config(webPort, "least-connections", backend(b, 1) + ", " + backend(c, 3), ""));
                assertThat(forwarder.pool("web").strategy().getClass().getSimpleName()).isEqualTo("LeastConnectionsStrategy");
                assertThat(forwarder.pool("web").members()).filteredOn(m -> m.name().equals(name(c)))
                        .extracting(PoolMember::weight).containsExactly(3);

                // 4. A second listener, on the same pool.
                String extra = "extra { bind = \"127.0.0.1:0\", pool = web }";
                Reconfiguration withExtra = forwarder.apply(config(webPort, "least-connections",
                        backend(b, 1) + ", " + backend(c, 3), extra));
                assertThat(withExtra.listenersAdded()).containsExactly("extra");
                InetSocketAddress extraAddress = forwarder.listenerAddress("extra");
                assertThat(backendOfANewConnection(forwarder, "extra")).isIn(name(b), name(c));

                // Not applicable: a new listener on a port in use. Nothing changes.
                ForwarderConfig clash = config(webPort, "round-robin", backend(a, 1),
                        extra + "\nclash { bind = \"127.0.0.1:" + taken.getLocalPort() + "\", pool = web }");
                assertThatThrownBy(() -> forwarder.apply(clash)).isInstanceOf(ListenerBindException.class)
                        .hasMessageContaining("listener clash: cannot bind");
                assertThat(forwarder.config().listeners().keySet()).containsExactly("extra", "web");
                assertThat(forwarder.pool("web").strategy().getClass().getSimpleName()).isEqualTo("LeastConnectionsStrategy");
                assertThat(backendsOfNewConnections(forwarder, "web", 4)).isSubsetOf(name(b), name(c));

                // 5. The second listener goes again.
                Reconfiguration withoutExtra = forwarder.apply(config(webPort, "least-connections",
                        backend(b, 1) + ", " + backend(c, 3), ""));
                assertThat(withoutExtra.listenersRemoved()).containsExactly("extra");
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThatThrownBy(() -> {
                    try (Socket refused = new Socket()) {
                        refused.connect(extraAddress, 1_000);
                    }
                }).isInstanceOf(IOException.class));

                for (int i = 0; i < STREAMS; i++) {
                    Stream stream = streams.get(i);
                    String sent;
                    Streams.Drained echoed;
                    try {
                        sent = stream.sent().get(120, TimeUnit.SECONDS);
                        echoed = stream.echoed().get(120, TimeUnit.SECONDS);
                    } catch (java.util.concurrent.TimeoutException e) {
                        // What each connection had moved when it stalled, to tell a relay stall from a slow machine.
                        StringBuilder threadDump = new StringBuilder();
                        for (java.lang.management.ThreadInfo info : java.lang.management.ManagementFactory
                                .getThreadMXBean().dumpAllThreads(false, false)) {
                            threadDump.append(info);
                        }
                        throw new AssertionError("stream " + i + " did not finish; open connections:\n"
                                + forwarder.listener("web").connections().stream().map(Object::toString)
                                        .collect(Collectors.joining("\n")) + "\nthreads:\n" + threadDump, e);
                    }
                    assertThat(echoed.bytes()).as("stream %d", i).isEqualTo(SIZE);
                    assertThat(echoed.sha256()).as("stream %d", i).isEqualTo(sent);
                    stream.socket().close();
                }
                // The streams were the ones open before the first change: none was replaced or cut.
                assertThat(ids).hasSize(STREAMS);
                await().atMost(Duration.ofSeconds(10))
                        .until(() -> forwarder.pool("web").members().stream().noneMatch(m -> m.name().equals(name(a))));
                assertThat(forwarder.metrics().getNames().stream().filter(n -> n.contains(".extra."))
                        .collect(Collectors.toList())).isEmpty();
                assertThat(forwarder.metrics().getNames().stream().filter(n -> n.contains(name(a))).toList())
                        .isEmpty();
                assertThat(forwarder.metrics().meter("forwarder.listeners.web.closed.shutdown").getCount()).isZero();
                assertThat(forwarder.metrics().meter("forwarder.listeners.web.closed.error").getCount()).isZero();
                assertThat(forwarder.metrics().meter("forwarder.listeners.web.closed.backend-reset").getCount())
                        .isZero();
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aSettingThatNeedsARestartIsRefusedAndChangesNothing() throws Exception {
        try (BlockingServer a = echo()) {
            ForwarderConfig first = config(0, "round-robin", backend(a, 1), "");
            try (Forwarder forwarder = Forwarder.start(first)) {
                int port = forwarder.listenerAddress("web").getPort();
                ForwarderConfig nio = ConfigLoader.parse("""
                        forwarder {
                          transport = nio
                          io-threads = 2
                          listeners { web { bind = "127.0.0.1:%d", pool = web }, more { bind = "127.0.0.1:0", pool = web } }
                          pools { web { backends = [ "127.0.0.1:%d" ] } }
                        }
                        """.formatted(port, a.address().getPort()), "nio");
                assertThatThrownBy(() -> forwarder.apply(nio)).isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining("forwarder.transport: nio needs a restart");
                assertThat(forwarder.config()).isSameAs(first);
                assertThat(forwarder.relay().listeners()).hasSize(1);
            }
        }
    }
}
