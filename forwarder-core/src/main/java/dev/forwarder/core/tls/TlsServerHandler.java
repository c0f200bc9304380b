package dev.forwarder.core.tls;

import dev.forwarder.core.ClientReadyEvent;
import dev.forwarder.core.CloseReason;
import dev.forwarder.core.CloseRequestEvent;
import dev.forwarder.core.ConnectionInfo;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SniCompletionEvent;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Behind the listener's {@code SslHandler}: fires the relay's {@link ClientReadyEvent} once the handshake is done
 * (with the pool the server name or the ALPN protocol picked, what was negotiated, and the address a PROXY header
 * gave, whose own ready event it holds until then); ends the connection with {@code tls-handshake-failed} when the
 * handshake fails (an exception then goes no further); passes a received {@code close_notify} on as the client's
 * FIN. One per connection, on its event loop.
 */
final class TlsServerHandler extends ChannelDuplexHandler {

    private static final Logger log = LoggerFactory.getLogger("dev.forwarder.connection");

    private final TlsTermination termination;
    private final ConnectionInfo connection;
    private final boolean upstreamReady;
    private ClientReadyEvent upstream;
    private String serverName;
    private boolean handshaken;
    private boolean ended;
    private boolean closeNotified;

    TlsServerHandler(TlsTermination termination, ConnectionInfo connection, boolean upstreamReady) {
        this.termination = termination;
        this.connection = connection;
        this.upstreamReady = upstreamReady;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ClientReadyEvent ready && !handshaken) {
            upstream = ready;
            return;
        }
        if (evt instanceof SniCompletionEvent sni) {
            if (sni.isSuccess()) {
                serverName = sni.hostname();
            } else {
                failed(ctx, sni.cause());
            }
            return;
        }
        if (evt instanceof SslHandshakeCompletionEvent done) {
            if (done.isSuccess()) {
                handshaken = true;
                ready(ctx);
            } else {
                failed(ctx, done.cause());
            }
            return;
        }
        if (evt instanceof SslCloseCompletionEvent closed) {
            if (closed.isSuccess() && !closeNotified) {
                // close_notify: the client ended its stream whole; its FIN (if it sends one) changes nothing more.
                closeNotified = true;
                ctx.fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
            }
            return;
        }
        if (evt == ChannelInputShutdownEvent.INSTANCE) {
            if (!handshaken) {
                failed(ctx, null);
                return;
            }
            if (closeNotified) {
                return;
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    private void ready(ChannelHandlerContext ctx) {
        if (ended || !handshaken || upstreamReady && upstream == null) {
            return;
        }
        ended = true;
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        String protocol = ssl.engine().getSession().getProtocol();
        String alpn = ssl.applicationProtocol();
        TlsTermination.Route route = termination.route(serverName, alpn);
        String tls = protocol + " sni=" + (serverName == null ? "-" : serverName) + " alpn=" + (alpn == null ? "-"
                : alpn) + route.note;
        ctx.fireUserEventTriggered(new ClientReadyEvent(upstream == null ? null : upstream.client(),
                upstream == null ? null : upstream.destination(), route.chooser, tls));
    }

    private void failed(ChannelHandlerContext ctx, Throwable cause) {
        if (ended) {
            return;
        }
        ended = true;
        if (log.isDebugEnabled()) {
            log.debug("tls handshake failed conn={} listener={} client={} cause=\"{}\"", connection.id(),
                    termination.listener(), connection.client(),
                    cause == null ? "closed by the client" : TlsOrigination.describe(cause));
        }
        ctx.fireUserEventTriggered(new CloseRequestEvent(CloseReason.TLS_HANDSHAKE_FAILED));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!handshaken) {
            // Not TLS, a hostile or cut record, no common cipher: the handshake events end it as such.
            failed(ctx, cause);
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!handshaken && ended) {
            ReferenceCountUtil.release(msg);
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        TlsOrigination.closeWithoutNotifyOnAbort(ctx);
        ctx.close(promise);
    }
}
