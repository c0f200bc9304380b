package dev.forwarder.core.relay;

import dev.forwarder.core.Backend;
import dev.forwarder.core.BackendChooser;
import dev.forwarder.core.ClientReadyEvent;
import dev.forwarder.core.ConnectPolicy;
import dev.forwarder.core.ConnectionHandlers;
import dev.forwarder.core.ConnectionInfo;
import dev.forwarder.core.Transport;
import dev.forwarder.core.testing.BlockingServer;
import dev.forwarder.core.testing.FixedChooser;
import dev.forwarder.core.testing.RecordingObserver;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.LineBasedFrameDecoder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Handlers a listener puts in front of the relay, and a chooser on the backend side. */
class ConnectionHandlersTest {

    /** A toy PROXY header: the first line names the real client; the relay chooses only after it. */
    private static final class ClientLine implements ConnectionHandlers {
        @Override
        public void addTo(ChannelPipeline pipeline, ConnectionInfo connection) {
            pipeline.addLast("client-line", new LineBasedFrameDecoder(256));
            pipeline.addLast("client-line-ready", new ChannelInboundHandlerAdapter() {
                @Override
                public void channelRead(ChannelHandlerContext ctx, Object msg) {
                    ByteBuf line = (ByteBuf) msg;
                    String[] hostPort = line.toString(StandardCharsets.US_ASCII).substring(5).split(":");
                    line.release();
                    // This one first: the decoder hands what it still holds on as it leaves.
                    ctx.pipeline().remove(this);
                    ctx.pipeline().remove("client-line");
                    ctx.fireUserEventTriggered(new ClientReadyEvent(
                            new InetSocketAddress(hostPort[0], Integer.parseInt(hostPort[1]))));
                }
            });
        }

        @Override
        public boolean delaysChoice() {
            return true;
        }
    }

    /** Sends a greeting to each backend before the client's bytes, like a PROXY header sent to the backend. */
    private static final class Greeting implements ConnectionHandlers {
        @Override
        public void addTo(ChannelPipeline pipeline, ConnectionInfo connection) {
            pipeline.addLast("greeting", new ChannelInboundHandlerAdapter() {
                @Override
                public void channelActive(ChannelHandlerContext ctx) {
                    ctx.writeAndFlush(Unpooled.copiedBuffer("HELLO " + connection.id() + "\n",
                            StandardCharsets.US_ASCII));
                    ctx.pipeline().remove(this);
                    ctx.fireChannelActive();
                }
            });
        }
    }

    /** Remembers the client address each pick was made for. */
    private static final class Recording implements BackendChooser {
        final FixedChooser delegate;
        final ConnectionHandlers backendHandlers;
        final AtomicReference<SocketAddress> choseFor = new AtomicReference<>();

        Recording(FixedChooser delegate, ConnectionHandlers backendHandlers) {
            this.delegate = delegate;
            this.backendHandlers = backendHandlers;
        }

        @Override
        public Backend choose(SocketAddress client, List<Backend> tried) {
            choseFor.set(client);
            return delegate.choose(client, tried);
        }

        @Override
        public ConnectionHandlers backendHandlers() {
            return backendHandlers;
        }
    }

    private static BlockingServer recordingBackend(CompletableFuture<String> received) {
        return BlockingServer.start(socket -> {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            socket.getInputStream().transferTo(all);
            received.complete(all.toString(StandardCharsets.US_ASCII));
            socket.getOutputStream().write("bye".getBytes(StandardCharsets.US_ASCII));
        });
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING", "NIO"})
    void clientSideHandlersRunBeforeTheBackendIsChosenAndNameTheRealClient(Transport transport) throws Exception {
        CompletableFuture<String> received = new CompletableFuture<>();
        try (BlockingServer backend = recordingBackend(received)) {
            Recording chooser = new Recording(new FixedChooser(backend.address()), null);
            RecordingObserver observer = new RecordingObserver();
            try (RelayFixture relay = new RelayFixture(transport, RelayFixture.settings(), chooser, observer,
                    ConnectPolicy.DEFAULT, new ClientLine());
                 Socket client = relay.connect()) {
                client.getOutputStream().write("FROM 10.1.2.3:4567\nrequest".getBytes(StandardCharsets.US_ASCII));
                client.shutdownOutput();
                assertThat(received.get(5, TimeUnit.SECONDS)).isEqualTo("request");
                assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                        .isEqualTo("bye");
                assertThat(chooser.choseFor.get()).isEqualTo(new InetSocketAddress("10.1.2.3", 4567));
                await().atMost(Duration.ofSeconds(5)).until(() -> observer.closed.size() == 1);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING", "NIO"})
    void backendSideHandlersComeFromTheChooser(Transport transport) throws Exception {
        CompletableFuture<String> received = new CompletableFuture<>();
        try (BlockingServer backend = recordingBackend(received)) {
            Recording chooser = new Recording(new FixedChooser(backend.address()), new Greeting());
            RecordingObserver observer = new RecordingObserver();
            try (RelayFixture relay = new RelayFixture(transport, RelayFixture.settings(), chooser, observer, 1);
                 Socket client = relay.connect()) {
                client.getOutputStream().write("request".getBytes(StandardCharsets.US_ASCII));
                client.shutdownOutput();
                assertThat(received.get(5, TimeUnit.SECONDS)).matches("HELLO [0-9a-f]+\nrequest");
                assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                        .isEqualTo("bye");
            }
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING", "NIO"})
    void withoutHandlersThePipelinesHoldOnlyTheRelay(Transport transport) throws Exception {
        try (BlockingServer backend = BlockingServer.echo();
             RelayFixture relay = new RelayFixture(transport, RelayFixture.settings(),
                     new FixedChooser(backend.address()), new RecordingObserver(), 1);
             Socket client = relay.connect()) {
            client.getOutputStream().write('x');
            assertThat(client.getInputStream().read()).isEqualTo('x');
            Channel inbound = relay.listener.clientChannels().get(0);
            RelayConnection connection = (RelayConnection) inbound.pipeline().get(Pipelines.RELAY);
            assertThat(inbound.pipeline().toMap().keySet()).containsExactly(Pipelines.RELAY);
            assertThat(connection.backendChannel().pipeline().toMap().keySet()).containsExactly(Pipelines.BACKEND);
        }
    }
}
