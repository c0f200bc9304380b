package dev.forwarder.core.relay;

import dev.forwarder.core.Transport;
import dev.forwarder.core.testing.BlockingServer;
import dev.forwarder.core.testing.FixedChooser;
import dev.forwarder.core.testing.RecordingObserver;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.net.Socket;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Nagle is off on both sides of a relayed connection (Netty's default, which forwarder relies on). */
class RelaySocketOptionsTest {

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING", "NIO"})
    void bothSidesHaveNagleOff(Transport transport) throws Exception {
        RecordingObserver observer = new RecordingObserver();
        try (BlockingServer backend = BlockingServer.start(socket -> socket.getInputStream().read());
             RelayFixture relay = new RelayFixture(transport, RelayFixture.settings(),
                     new FixedChooser(backend.address()), observer, 1);
             Socket client = relay.connect()) {
            await().atMost(Duration.ofSeconds(5)).until(() -> observer.opened.get() == 1);
            Channel inbound = relay.listener.clientChannels().iterator().next();
            RelayConnection connection = (RelayConnection) inbound.pipeline().get(Pipelines.RELAY);
            assertThat(inbound.config().getOption(ChannelOption.TCP_NODELAY)).isTrue();
            assertThat(connection.backendChannel().config().getOption(ChannelOption.TCP_NODELAY)).isTrue();
        }
    }
}
