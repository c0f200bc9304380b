package dev.forwarder.core.proxy;

import dev.forwarder.core.ClientReadyEvent;
import dev.forwarder.core.CloseReason;
import dev.forwarder.core.CloseRequestEvent;
import dev.forwarder.core.ConnectionObserver;
import dev.forwarder.core.access.AccessGate;
import dev.forwarder.core.access.AccessSettings;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.haproxy.HAProxyCommand;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProtocolVersion;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import io.netty.util.NetUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnknownHostException;
import java.util.concurrent.TimeUnit;

/**
 * {@code accept-proxy}: reads the PROXY header in front of a client's bytes with Netty's
 * {@link HAProxyMessageDecoder}, strictly (the version the listener accepts, TCP over IPv4 or IPv6, or
 * {@code LOCAL}/{@code UNKNOWN} which keep the socket's address; at most {@value #MAX_TLV_BYTES} bytes of v2 TLVs),
 * within {@code proxy-header-timeout}. The address it names is checked by the listener's {@link AccessGate} and
 * becomes the connection's client ({@link ClientReadyEvent}) for the pick, logs and metrics. A malformed, truncated,
 * oversized or late header ends that connection only, with a (rate-capped) log line and its own close reason.
 *
 * <p>Pipeline: {@code proxy-guard, proxy-decoder, proxy-header} in front of the rest; all three leave once the
 * header is in. The guard keeps the decoder from closing the channel itself on a bad header (it does, "per spec"),
 * which the relay would take for the client's reset: the decoder's exception reaches this handler, which has the
 * relay close it with {@code proxy-header-invalid}. One per connection, on its event loop.
 */
public final class ProxyHeaderHandler extends ChannelInboundHandlerAdapter {

    public static final String GUARD = "proxy-guard";
    public static final String DECODER = "proxy-decoder";
    public static final String NAME = "proxy-header";
    /** TLV bytes a v2 header may carry (AWS and GCP balancers send a few dozen). */
    static final int MAX_TLV_BYTES = 2048;

    private final String listener;
    private final ProxyProtocol accepted;
    private final long timeoutNanos;
    private final AccessGate gate;
    private final AccessSettings access;
    private final ConnectionObserver observer;
    private ScheduledFuture<?> timer;
    private boolean done;

    private ProxyHeaderHandler(String listener, ProxyProtocol accepted, long timeoutNanos, AccessGate gate,
            AccessSettings access, ConnectionObserver observer) {
        this.listener = listener;
        this.accepted = accepted;
        this.timeoutNanos = timeoutNanos;
        this.gate = gate;
        this.access = access;
        this.observer = observer;
    }

    /** Adds guard, decoder and this handler at the end of {@code pipeline}. */
    public static void addTo(ChannelPipeline pipeline, String listener, ProxyProtocol accepted, long timeoutNanos,
            AccessGate gate, AccessSettings access, ConnectionObserver observer) {
        ProxyHeaderHandler header = new ProxyHeaderHandler(listener, accepted, timeoutNanos, gate, access, observer);
        pipeline.addLast(GUARD, header.new Guard());
        pipeline.addLast(DECODER, new HAProxyMessageDecoder(MAX_TLV_BYTES));
        pipeline.addLast(NAME, header);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        timer = ctx.executor().schedule(() -> timedOut(ctx), timeoutNanos, TimeUnit.NANOSECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (done || !(msg instanceof HAProxyMessage header)) {
            // After a failure the channel is closing; nothing more goes to the relay.
            if (done) {
                ReferenceCountUtil.release(msg);
            } else {
                ctx.fireChannelRead(msg);
            }
            return;
        }
        try {
            accept(ctx, header);
        } finally {
            header.release();
        }
    }

    private void accept(ChannelHandlerContext ctx, HAProxyMessage header) {
        done = true;
        cancelTimer();
        SocketAddress peer = ctx.channel().remoteAddress();
        HAProxyProtocolVersion version = header.protocolVersion();
        if (accepted == ProxyProtocol.V1 && version != HAProxyProtocolVersion.V1
                || accepted == ProxyProtocol.V2 && version != HAProxyProtocolVersion.V2) {
            invalid(ctx, peer, "a " + version.name().toLowerCase(java.util.Locale.ROOT) + " header (expected: "
                    + accepted.label() + ")");
            return;
        }
        SocketAddress client = null;
        SocketAddress destination = null;
        HAProxyProxiedProtocol proxied = header.proxiedProtocol();
        if (header.command() == HAProxyCommand.PROXY && proxied != HAProxyProxiedProtocol.UNKNOWN) {
            if (proxied != HAProxyProxiedProtocol.TCP4 && proxied != HAProxyProxiedProtocol.TCP6) {
                invalid(ctx, peer, "proxied protocol " + proxied + " (expected: TCP4, TCP6 or UNKNOWN)");
                return;
            }
            client = address(header.sourceAddress(), header.sourcePort());
            destination = address(header.destinationAddress(), header.destinationPort());
            if (client == null || destination == null) {
                invalid(ctx, peer, "addresses " + header.sourceAddress() + " " + header.destinationAddress());
                return;
            }
        }
        ctx.pipeline().remove(GUARD);
        ctx.pipeline().remove(this);
        if (access.checksClients()
                && gate.admit(ctx.channel(), client != null ? client : peer, access, observer) != null) {
            ctx.fireUserEventTriggered(new CloseRequestEvent(CloseReason.REJECTED));
            return;
        }
        ctx.fireUserEventTriggered(new ClientReadyEvent(client, destination));
    }

    private static InetSocketAddress address(String literal, int port) {
        byte[] bytes = literal == null ? null : NetUtil.createByteArrayFromIpAddressString(literal);
        if (bytes == null) {
            return null;
        }
        try {
            return new InetSocketAddress(InetAddress.getByAddress(bytes), port);
        } catch (UnknownHostException impossible) {
            return null;
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!done && cause instanceof DecoderException) {
            done = true;
            cancelTimer();
            Throwable reason = cause.getCause() != null && cause.getMessage() != null
                    && cause.getMessage().startsWith(cause.getCause().getClass().getName()) ? cause.getCause() : cause;
            invalid(ctx, ctx.channel().remoteAddress(), String.valueOf(reason.getMessage()));
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ChannelInputShutdownEvent.INSTANCE && !done) {
            done = true;
            cancelTimer();
            ReferenceCountUtil.release(evt);
            invalid(ctx, ctx.channel().remoteAddress(), "truncated: the client closed before its header was complete");
            return;
        }
        ctx.fireUserEventTriggered(evt);
    }

    private void invalid(ChannelHandlerContext ctx, SocketAddress peer, String detail) {
        done = true;
        log(peer, "bad proxy header", detail);
        ctx.fireUserEventTriggered(new CloseRequestEvent(CloseReason.PROXY_HEADER_INVALID));
    }

    private void timedOut(ChannelHandlerContext ctx) {
        timer = null;
        if (!done && ctx.channel().isActive()) {
            done = true;
            log(ctx.channel().remoteAddress(), "late proxy header",
                    "none complete within " + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms");
            ctx.fireUserEventTriggered(new CloseRequestEvent(CloseReason.PROXY_HEADER_TIMEOUT));
        }
    }

    private void log(SocketAddress peer, String what, String detail) {
        InetAddress address = peer instanceof InetSocketAddress inet ? inet.getAddress() : null;
        if (address != null) {
            gate.log().warn(listener, peer, address, what, detail);
        }
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancelTimer();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        cancelTimer();
    }

    /**
     * In front of the decoder: while the decoder works on bytes and no header came out, a close from it is its
     * "drop the connection" on a bad header, swallowed here; the exception that follows ends the connection
     * through the relay. Every other close passes.
     */
    private final class Guard extends ChannelDuplexHandler {
        private boolean decoding;

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            decoding = true;
            try {
                ctx.fireChannelRead(msg);
            } finally {
                decoding = false;
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            decoding = true;
            try {
                ctx.fireUserEventTriggered(evt);
            } finally {
                decoding = false;
            }
        }

        @Override
        public void close(ChannelHandlerContext ctx, ChannelPromise promise) throws Exception {
            if (decoding && !done) {
                return;
            }
            super.close(ctx, promise);
        }
    }
}
