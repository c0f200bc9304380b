package dev.forwarder.core;

import dev.forwarder.core.testing.FixedChooser;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RelayServerBindTest {

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
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
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
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
}
