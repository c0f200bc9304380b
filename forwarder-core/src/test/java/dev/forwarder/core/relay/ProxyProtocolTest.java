package dev.forwarder.core.relay;

import dev.forwarder.core.Backend;
import dev.forwarder.core.BackendChooser;
import dev.forwarder.core.CloseReason;
import dev.forwarder.core.ConnectionHandlers;
import dev.forwarder.core.ListenerSettings;
import dev.forwarder.core.Transport;
import dev.forwarder.core.access.AccessSettings;
import dev.forwarder.core.access.Cidr;
import dev.forwarder.core.proxy.ProxyProtocol;
import dev.forwarder.core.proxy.SendProxy;
import dev.forwarder.core.testing.BlockingServer;
import dev.forwarder.core.testing.FixedChooser;
import dev.forwarder.core.testing.RecordingObserver;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.util.ReferenceCountUtil;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** accept-proxy on a listener, send-proxy to a backend: real sockets, Netty's codec on both ends. */
class ProxyProtocolTest {

    static final byte[] V1 = "PROXY TCP4 203.0.113.7 192.0.2.1 56324 443\r\n".getBytes(StandardCharsets.US_ASCII);
    /** v2, PROXY, TCP4, 203.0.113.7:56324 -> 192.0.2.1:443. */
    static final byte[] V2 = HexFormat.of().parseHex(
            "0d0a0d0a000d0a515549540a" + "21" + "11" + "000c" + "cb007107" + "c0000201" + "dc04" + "01bb");
    static final InetSocketAddress CARRIED = new InetSocketAddress("203.0.113.7", 56324);

    /** Remembers the client address each pick was made for. */
    static final class Recording implements BackendChooser {
        final FixedChooser delegate;
        final ConnectionHandlers backendHandlers;
        final List<SocketAddress> choseFor = new CopyOnWriteArrayList<>();

        Recording(InetSocketAddress backend, ConnectionHandlers backendHandlers) {
            this.delegate = new FixedChooser(backend);
            this.backendHandlers = backendHandlers;
        }

        @Override
        public Backend choose(SocketAddress client, List<Backend> tried) {
            choseFor.add(client);
            return delegate.choose(client, tried);
        }

        @Override
        public ConnectionHandlers backendHandlers() {
            return backendHandlers;
        }

        @Override
        public void released(Backend backend) {
            delegate.released(backend);
        }

        @Override
        public void connectFailed(Backend backend, Throwable cause) {
            delegate.connectFailed(backend, cause);
        }
    }

    static ListenerSettings accepting(ProxyProtocol protocol) {
        return RelayFixture.settings().withAcceptProxy(protocol, Duration.ofMillis(500));
    }

    static byte[] concat(byte[] a, String b) {
        byte[] out = new byte[a.length + b.length()];
        System.arraycopy(a, 0, out, 0, a.length);
        System.arraycopy(b.getBytes(StandardCharsets.US_ASCII), 0, out, a.length, b.length());
        return out;
    }

    static BlockingServer recording(CompletableFuture<String> received) {
        return BlockingServer.start(socket -> {
            ByteArrayOutputStream all = new ByteArrayOutputStream();
            socket.getInputStream().transferTo(all);
            received.complete(all.toString(StandardCharsets.ISO_8859_1));
            socket.getOutputStream().write("bye".getBytes(StandardCharsets.US_ASCII));
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"v1", "v2", "any-v1", "any-v2"})
    void aValidHeaderNamesTheClientAndOnlyThePayloadReachesTheBackend(String which) throws Exception {
        ProxyProtocol accepted = which.startsWith("any") ? ProxyProtocol.ANY
                : which.equals("v1") ? ProxyProtocol.V1 : ProxyProtocol.V2;
        byte[] header = which.endsWith("v1") ? V1 : V2;
        CompletableFuture<String> received = new CompletableFuture<>();
        RecordingObserver observer = new RecordingObserver();
        try (BlockingServer backend = recording(received)) {
            Recording chooser = new Recording(backend.address(), null);
            try (RelayFixture relay = new RelayFixture(Transport.AUTO, accepting(accepted), chooser, observer, 1);
                 Socket client = relay.connect()) {
                // Header and payload in one write, as a balancer sends them.
                client.getOutputStream().write(concat(header, "request"));
                client.shutdownOutput();
                assertThat(received.get(5, TimeUnit.SECONDS)).isEqualTo("request");
                assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII))
                        .isEqualTo("bye");
                assertThat(chooser.choseFor).containsExactly(CARRIED);
                await().atMost(Duration.ofSeconds(5)).until(() -> observer.closed.size() == 1);
                assertThat(observer.closedClients).containsExactly(CARRIED);
                assertThat(observer.closed.get(0).reason()).isIn(CloseReason.CLIENT_CLOSED, CloseReason.BACKEND_CLOSED);
            }
        }
    }

    @Test
    void aHeaderSplitOverSeveralWritesIsStillOneHeader() throws Exception {
        CompletableFuture<String> received = new CompletableFuture<>();
        try (BlockingServer backend = recording(received);
             RelayFixture relay = new RelayFixture(Transport.AUTO, accepting(ProxyProtocol.ANY),
                     new Recording(backend.address(), null), new RecordingObserver(), 1);
             Socket client = relay.connect()) {
            OutputStream out = client.getOutputStream();
            for (byte b : V2) {
                out.write(b);
                out.flush();
            }
            out.write("abc".getBytes(StandardCharsets.US_ASCII));
            client.shutdownOutput();
            assertThat(received.get(5, TimeUnit.SECONDS)).isEqualTo("abc");
        }
    }

    /** Sends {@code bytes}, then: FIN (truncated) or nothing (late); returns the close reason. */
    private static CloseReason endOf(ProxyProtocol accepted, byte[] bytes, boolean fin) throws Exception {
        RecordingObserver observer = new RecordingObserver();
        try (BlockingServer backend = BlockingServer.echo();
             RelayFixture relay = new RelayFixture(Transport.AUTO, accepting(accepted),
                     new Recording(backend.address(), null), observer, 1);
             Socket bystander = relay.connect();
             Socket client = relay.connect()) {
            bystander.getOutputStream().write(accepted == ProxyProtocol.V2 ? V2 : V1);
            client.getOutputStream().write(bytes);
            if (fin) {
                client.shutdownOutput();
            }
            try {
                assertThat(client.getInputStream().read()).isEqualTo(-1);
            } catch (IOException reset) {
                // a reset ends it just as well
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> observer.closed.size() == 1);
            assertThat(backend.accepted()).as("a backend for the bad header").isLessThanOrEqualTo(1);
            // Only that connection: the one with a good header still relays.
            bystander.getOutputStream().write('x');
            assertThat(bystander.getInputStream().read()).isEqualTo('x');
            return observer.closed.get(0).reason();
        }
    }

    @Test
    void aMalformedHeaderClosesThatConnectionOnly() throws Exception {
        assertThat(endOf(ProxyProtocol.ANY, "PROXY TCP4 999.1.1.1 192.0.2.1 1 2\r\nxyz".getBytes(
                StandardCharsets.US_ASCII), false)).isEqualTo(CloseReason.PROXY_HEADER_INVALID);
        assertThat(endOf(ProxyProtocol.ANY, "GET / HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII),
                false)).isEqualTo(CloseReason.PROXY_HEADER_INVALID);
        assertThat(endOf(ProxyProtocol.ANY, new byte[200], false)).isEqualTo(CloseReason.PROXY_HEADER_INVALID);
    }

    @Test
    void aHeaderOfTheOtherVersionIsRefused() throws Exception {
        assertThat(endOf(ProxyProtocol.V1, V2, false)).isEqualTo(CloseReason.PROXY_HEADER_INVALID);
        assertThat(endOf(ProxyProtocol.V2, V1, false)).isEqualTo(CloseReason.PROXY_HEADER_INVALID);
    }

    @Test
    void aTruncatedHeaderClosesThatConnectionOnly() throws Exception {
        assertThat(endOf(ProxyProtocol.ANY, java.util.Arrays.copyOf(V2, 20), true))
                .isEqualTo(CloseReason.PROXY_HEADER_INVALID);
        assertThat(endOf(ProxyProtocol.ANY, "PROXY TCP4 203.0.113.7".getBytes(StandardCharsets.US_ASCII), true))
                .isEqualTo(CloseReason.PROXY_HEADER_INVALID);
    }

    @Test
    void aLateHeaderClosesThatConnectionOnly() throws Exception {
        assertThat(endOf(ProxyProtocol.ANY, "PROXY TCP4".getBytes(StandardCharsets.US_ASCII), false))
                .isEqualTo(CloseReason.PROXY_HEADER_TIMEOUT);
        assertThat(endOf(ProxyProtocol.ANY, new byte[0], false)).isEqualTo(CloseReason.PROXY_HEADER_TIMEOUT);
    }

    @Test
    void theCarriedAddressIsWhatAllowAndDenyCheck() throws Exception {
        ListenerSettings settings = accepting(ProxyProtocol.ANY)
                .withAccess(AccessSettings.NONE.withDeny(List.of(Cidr.parse("203.0.113.0/24"))));
        RecordingObserver observer = new RecordingObserver();
        try (BlockingServer backend = BlockingServer.echo();
             RelayFixture relay = new RelayFixture(Transport.AUTO, settings, new Recording(backend.address(), null),
                     observer, 1);
             Socket denied = relay.connect();
             Socket allowed = relay.connect()) {
            // The socket's own address (127.0.0.1) is not denied; the header's is.
            denied.getOutputStream().write(concat(V1, "x"));
            assertThat(denied.getInputStream().read()).isEqualTo(-1);
            allowed.getOutputStream().write(concat(
                    "PROXY TCP4 198.51.100.9 192.0.2.1 1000 443\r\n".getBytes(StandardCharsets.US_ASCII), "y"));
            assertThat(allowed.getInputStream().read()).isEqualTo('y');
            await().atMost(Duration.ofSeconds(5)).until(() -> observer.closed.size() == 1);
            assertThat(observer.closed.get(0).reason()).isEqualTo(CloseReason.REJECTED);
            assertThat(observer.rejected).containsExactly("203.0.113.7 denied");
            assertThat(backend.accepted()).isEqualTo(1);
        }
    }

    /** A real backend parsing the PROXY header with Netty's decoder; records the message as text. */
    private static final class HeaderServer implements AutoCloseable {
        final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        final CompletableFuture<String> header = new CompletableFuture<>();
        final CompletableFuture<String> payload = new CompletableFuture<>();
        final Channel server;

        HeaderServer() throws InterruptedException {
            server = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
                    .childHandler(new ChannelInitializer<Channel>() {
                        @Override
                        protected void initChannel(Channel ch) {
                            ch.pipeline().addLast(new HAProxyMessageDecoder());
                            ch.pipeline().addLast(new SimpleChannelInboundHandler<Object>() {
                                @Override
                                protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
                                    if (msg instanceof HAProxyMessage m) {
                                        header.complete(m.protocolVersion() + " " + m.command() + " "
                                                + m.proxiedProtocol() + " " + m.sourceAddress() + ":"
                                                + m.sourcePort() + " " + m.destinationAddress() + ":"
                                                + m.destinationPort());
                                    } else if (!header.isDone()) {
                                        header.complete("bytes before any header");
                                    } else {
                                        payload.complete(((io.netty.buffer.ByteBuf) msg)
                                                .toString(StandardCharsets.US_ASCII));
                                        ctx.writeAndFlush(ctx.alloc().buffer().writeByte('k'));
                                    }
                                }
                            });
                        }
                    }).bind("127.0.0.1", 0).sync().channel();
        }

        InetSocketAddress address() {
            return (InetSocketAddress) server.localAddress();
        }

        @Override
        public void close() {
            server.close().syncUninterruptibly();
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }

    @ParameterizedTest
    @EnumSource(value = ProxyProtocol.class, names = {"V1", "V2"})
    void sendProxyWritesTheClientsAddressBeforeItsBytes(ProxyProtocol sent) throws Exception {
        try (HeaderServer backend = new HeaderServer();
             RelayFixture relay = new RelayFixture(Transport.AUTO, RelayFixture.settings(),
                     new Recording(backend.address(), SendProxy.of(sent)), new RecordingObserver(), 1);
             Socket client = relay.connect()) {
            client.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
            assertThat(client.getInputStream().read()).isEqualTo('k');
            String listener = "127.0.0.1:" + relay.listener.localAddress().getPort();
            assertThat(backend.header.get(5, TimeUnit.SECONDS)).isEqualTo(sent.name() + " PROXY TCP4 127.0.0.1:"
                    + client.getLocalPort() + " " + listener);
            assertThat(backend.payload.get(5, TimeUnit.SECONDS)).isEqualTo("hello");
        }
    }

    @Test
    void sendProxyPassesOnTheAddressesAnAcceptedHeaderCarried() throws Exception {
        try (HeaderServer backend = new HeaderServer();
             RelayFixture relay = new RelayFixture(Transport.AUTO, accepting(ProxyProtocol.ANY),
                     new Recording(backend.address(), SendProxy.of(ProxyProtocol.V2)), new RecordingObserver(), 1);
             Socket client = relay.connect()) {
            client.getOutputStream().write(concat(V1, "hello"));
            assertThat(client.getInputStream().read()).isEqualTo('k');
            assertThat(backend.header.get(5, TimeUnit.SECONDS))
                    .isEqualTo("V2 PROXY TCP4 203.0.113.7:56324 192.0.2.1:443");
        }
    }

    @Test
    void aServerThatSpeaksFirstGetsTheHeaderBeforeTheClientSendsAnything() throws Exception {
        AtomicReference<String> first = new AtomicReference<>();
        try (BlockingServer backend = BlockingServer.start(socket -> {
                byte[] line = new byte[V1.length];
                int n = socket.getInputStream().readNBytes(line, 0, 6);
                first.set(new String(line, 0, n, StandardCharsets.US_ASCII));
                socket.getOutputStream().write("220 hi\r\n".getBytes(StandardCharsets.US_ASCII));
                socket.getInputStream().transferTo(OutputStream.nullOutputStream());
            });
             RelayFixture relay = new RelayFixture(Transport.AUTO, RelayFixture.settings(),
                     new Recording(backend.address(), SendProxy.of(ProxyProtocol.V1)), new RecordingObserver(), 1);
             Socket client = relay.connect()) {
            assertThat(client.getInputStream().read()).isEqualTo('2');
            assertThat(first.get()).isEqualTo("PROXY ");
        }
        ReferenceCountUtil.release(null);
    }
}
