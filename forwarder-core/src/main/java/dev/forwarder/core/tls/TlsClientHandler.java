package dev.forwarder.core.tls;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;

import javax.net.ssl.SSLException;
import javax.net.ssl.SSLHandshakeException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/**
 * In a backend pipeline that originates TLS: at connect, puts the {@code SslHandler} in front of itself for the
 * backend's name; holds the relay's connect promise and {@code channelActive} until the handshake is done, and fails
 * the promise with an {@link SSLException} when it fails (its exception goes no further); passes a received
 * {@code close_notify} on as the backend's FIN. One per backend channel, on its event loop.
 */
final class TlsClientHandler extends ChannelDuplexHandler {

    private final TlsOrigination origination;
    private ChannelPromise connected;
    private boolean handshaken;
    private boolean closeNotified;

    TlsClientHandler(TlsOrigination origination) {
        this.origination = origination;
    }

    @Override
    public void connect(ChannelHandlerContext ctx, SocketAddress remote, SocketAddress local, ChannelPromise promise) {
        connected = promise;
        String host = origination.serverName();
        int port = 0;
        if (remote instanceof InetSocketAddress inet) {
            host = host != null ? host : inet.getHostString();
            port = inet.getPort();
        }
        SslHandler ssl = host == null ? origination.context().newHandler(ctx.alloc())
                : origination.context().newHandler(ctx.alloc(), host, port);
        // The whole handshake within one connect try's time: the connect is not done before it is.
        ssl.setHandshakeTimeoutMillis(Math.max(1, ctx.channel().config().getConnectTimeoutMillis()));
        ctx.pipeline().addBefore(ctx.name(), TlsOrigination.NAME, ssl);
        ChannelPromise tcp = ctx.newPromise();
        tcp.addListener((ChannelFutureListener) f -> {
            if (!f.isSuccess()) {
                promise.tryFailure(f.cause());
            }
        });
        ctx.connect(remote, local, tcp);
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        // The TCP connect: relaying waits for the handshake.
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent done) {
            if (done.isSuccess()) {
                handshaken = true;
                // The relay hears of the connect first (it records the backend), then relaying starts.
                if (connected.trySuccess()) {
                    ctx.fireChannelActive();
                }
            } else {
                fail(done.cause());
            }
            return;
        }
        if (evt instanceof SslCloseCompletionEvent closed) {
            if (closed.isSuccess() && handshaken && !closeNotified) {
                closeNotified = true;
                ctx.fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
            }
            return;
        }
        if (evt == ChannelInputShutdownEvent.INSTANCE) {
            if (!handshaken) {
                fail(null);
                return;
            }
            if (closeNotified) {
                return;
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    private void fail(Throwable cause) {
        if (connected == null || handshaken) {
            return;
        }
        SSLException failure;
        if (cause instanceof SSLException ssl) {
            failure = ssl;
        } else {
            failure = new SSLHandshakeException(cause == null ? "the backend closed during the TLS handshake"
                    : TlsOrigination.describe(cause));
            if (cause != null) {
                failure.initCause(cause);
            }
        }
        connected.tryFailure(failure);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!handshaken) {
            fail(cause.getCause() instanceof SSLException ssl ? ssl : cause);
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
        TlsOrigination.closeWithoutNotifyOnAbort(ctx);
        ctx.close(promise);
    }
}
