package dev.forwarder.core.proxy;

import dev.forwarder.core.ConnectionHandlers;
import dev.forwarder.core.ConnectionInfo;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageEncoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.NetUtil;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * {@code send-proxy}: backend-side handlers that write a PROXY header (v1 or v2) as the first bytes of each backend
 * connection, before any byte of the client's, naming the client (the address a PROXY header gave this connection,
 * if any) and the address it connected to. Families that differ, or addresses that are not IP, are sent as
 * {@code UNKNOWN} (v1) or {@code LOCAL} (v2), as the specification says. Stateless and shared; each connection gets
 * a handler of its own that leaves the pipeline once the header is written.
 */
public final class SendProxy implements ConnectionHandlers {

    /** The handler's name in the backend pipeline. */
    public static final String NAME = "send-proxy";
    private static final String ENCODER = "send-proxy-encoder";
    private static final SendProxy V1 = new SendProxy(HAProxyProtocolVersion.V1);
    private static final SendProxy V2 = new SendProxy(HAProxyProtocolVersion.V2);

    private final HAProxyProtocolVersion version;

    private SendProxy(HAProxyProtocolVersion version) {
        this.version = version;
    }

    /**
     * The handlers for {@code protocol}, or {@code null} for {@link ProxyProtocol#OFF}.
     *
     * @throws IllegalArgumentException for {@link ProxyProtocol#ANY}: a sender must pick a version
     */
    public static ConnectionHandlers of(ProxyProtocol protocol) {
        return switch (protocol) {
            case OFF -> null;
            case V1 -> V1;
            case V2 -> V2;
            case ANY -> throw new IllegalArgumentException("protocol: any (expected: off, v1 or v2)");
        };
    }

    /**
     * The header a pool's health checks start with under {@code protocol}, or {@code null} for
     * {@link ProxyProtocol#OFF}: a check relays no client, so v1 sends {@code PROXY UNKNOWN} and v2 the
     * {@code LOCAL} command ("established on purpose by the proxy without being relayed"), as HAProxy's
     * {@code check-send-proxy} does; the backend then keeps the socket's own addresses for it.
     */
    public static byte[] checkHeader(ProxyProtocol protocol) {
        return switch (protocol) {
            case OFF -> null;
            case V1 -> "PROXY UNKNOWN\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
            // Signature, version 2 + LOCAL, family and protocol UNSPEC, no address bytes.
            case V2 -> new byte[] {0x0D, 0x0A, 0x0D, 0x0A, 0x00, 0x0D, 0x0A, 0x51, 0x55, 0x49, 0x54, 0x0A, 0x20, 0x00,
                0x00, 0x00};
            case ANY -> throw new IllegalArgumentException("protocol: any (expected: off, v1 or v2)");
        };
    }

    @Override
    public void addTo(ChannelPipeline pipeline, ConnectionInfo connection) {
        pipeline.addLast(NAME, new Sender(connection));
    }

    @Override
    public boolean allowsSplice() {
        return true;
    }

    /** The header {@code version} sends for a connection from {@code client} to {@code destination}. */
    static HAProxyMessage header(HAProxyProtocolVersion version, SocketAddress client, SocketAddress destination) {
        if (client instanceof InetSocketAddress source && destination instanceof InetSocketAddress target
                && source.getAddress() != null && target.getAddress() != null
                && (source.getAddress() instanceof Inet4Address) == (target.getAddress() instanceof Inet4Address)) {
            HAProxyProxiedProtocol protocol = source.getAddress() instanceof Inet4Address
                    ? HAProxyProxiedProtocol.TCP4 : HAProxyProxiedProtocol.TCP6;
            return new HAProxyMessage(version, HAProxyCommand.PROXY, protocol,
                    NetUtil.toAddressString(source.getAddress()), NetUtil.toAddressString(target.getAddress()),
                    source.getPort(),
                    target.getPort());
        }
        return new HAProxyMessage(version, version == HAProxyProtocolVersion.V1 ? HAProxyCommand.PROXY
                : HAProxyCommand.LOCAL, HAProxyProxiedProtocol.UNKNOWN, null, null, 0, 0);
    }

    private final class Sender extends ChannelInboundHandlerAdapter {
        private final ConnectionInfo connection;

        Sender(ConnectionInfo connection) {
            this.connection = connection;
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            // Before the relay hears of the connect (the next handler's channelActive), so before any client byte.
            ctx.pipeline().addBefore(NAME, ENCODER, HAProxyMessageEncoder.INSTANCE);
            // Flushed at once: a backend that speaks first (SMTP, MySQL) waits for it before its greeting.
            ctx.writeAndFlush(header(version, connection.client(), connection.destination()), ctx.voidPromise());
            ctx.pipeline().remove(ENCODER);
            ctx.pipeline().remove(this);
            ctx.fireChannelActive();
        }
    }
}
