package dev.forwarder.core;

import dev.forwarder.core.testing.FixedChooser;
import io.netty.channel.epoll.Epoll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

class RelayServerBindTest {

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING", "NIO"})
    void portInUseFailsWithAPlainMessage(Transport transport) throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             RelayServer server = RelayServer.start(transport, 1)) {
            InetSocketAddress address = (InetSocketAddress) taken.getLocalSocketAddress();
            assertThatThrownBy(() -> server.bind(ListenerSettings.of("web", address), new FixedChooser(),
                    ConnectionObserver.NOOP))
                    .isInstanceOf(ListenerBindException.class)
                    .hasMessage("listener web: cannot bind 127.0.0.1:" + address.getPort()
                            + ": Address already in use");
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING", "NIO"})
    void secondForwarderCannotShareAPortTheFirstListensOn(Transport transport) throws Exception {
        try (RelayServer first = RelayServer.start(transport, 2);
             RelayServer second = RelayServer.start(transport, 2)) {
            BoundListener bound = first.bind(ListenerSettings.of("web",
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), 0)), new FixedChooser(),
                    ConnectionObserver.NOOP);
            assertThat(bound.localAddress().getPort()).isPositive();
            assertThatThrownBy(() -> second.bind(ListenerSettings.of("web", bound.localAddress()),
                    new FixedChooser(), ConnectionObserver.NOOP))
                    .isInstanceOf(ListenerBindException.class)
                    .hasMessageEndingWith("Address already in use");
        }
    }

    /**
     * Two forwarders started at the same instant on one port: the plain-bind probe alone is check-then-act, so
     * both could pass it and then share the port under SO_REUSEPORT. Each round races two servers of four event
     * loops each, released together by a barrier; exactly one may win.
     */
    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void twoServersBindingOnePortAtTheSameInstantNeverBothListen() throws Exception {
        assumeThat(Epoll.isAvailable()).as("epoll available: %s", Epoll.unavailabilityCause()).isTrue();
        ExecutorService threads = Executors.newFixedThreadPool(2);
        try (RelayServer first = RelayServer.start(Transport.EPOLL, 4);
             RelayServer second = RelayServer.start(Transport.EPOLL, 4)) {
            for (int round = 0; round < 30; round++) {
                InetSocketAddress address = new InetSocketAddress(InetAddress.getLoopbackAddress(), freePort());
                CyclicBarrier together = new CyclicBarrier(2);
                Future<BindOutcome> a = threads.submit(() -> bindWhenReleased(first, address, together));
                Future<BindOutcome> b = threads.submit(() -> bindWhenReleased(second, address, together));
                List<BindOutcome> outcomes = List.of(a.get(10, TimeUnit.SECONDS), b.get(10, TimeUnit.SECONDS));
                List<String> failures = new ArrayList<>();
                int listening = 0;
                for (BindOutcome outcome : outcomes) {
                    if (outcome.listener() != null) {
                        outcome.listener().stopAccepting();
                        listening++;
                    } else {
                        failures.add(outcome.failure().getMessage());
                    }
                }
                assertThat(listening).as("round %d on %s: servers listening", round, address).isEqualTo(1);
                assertThat(failures).as("round %d", round).containsExactly("listener web: cannot bind "
                        + Addresses.format(address) + ": Address already in use");
            }
        } finally {
            threads.shutdownNow();
        }
    }

    private record BindOutcome(BoundListener listener, ListenerBindException failure) {
    }

    private static BindOutcome bindWhenReleased(RelayServer server, InetSocketAddress address,
            CyclicBarrier together) throws Exception {
        together.await(10, TimeUnit.SECONDS);
        try {
            return new BindOutcome(server.bind(ListenerSettings.of("web", address), new FixedChooser(),
                    ConnectionObserver.NOOP), null);
        } catch (ListenerBindException e) {
            return new BindOutcome(null, e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
