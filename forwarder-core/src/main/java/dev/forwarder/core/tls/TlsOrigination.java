package dev.forwarder.core.tls;

import dev.forwarder.core.ConnectionHandlers;
import dev.forwarder.core.ConnectionInfo;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;

import java.util.Objects;

/**
 * A pool's TLS origination: backend-side handlers ({@link TlsClientHandler}, which adds the {@code SslHandler} at
 * connect, when it knows the backend) that make the connect complete only once the handshake did. A backend whose
 * handshake fails (a certificate that does not verify against {@code ca-file}, a name that does not match) therefore
 * fails like a refused connect: it counts against that backend (passive health), the connection tries the next
 * within its tries, and ends {@code tls-handshake-failed} when the last one failed so. Never splices. Immutable and
 * shared by the pool's connections.
 */
public final class TlsOrigination implements ConnectionHandlers {

    /** The {@code SslHandler} in the backend pipeline. */
    public static final String NAME = "tls";
    /** {@link TlsClientHandler}. */
    public static final String SESSION = "tls-session";

    private final SslContext context;
    private final String serverName;

    /**
     * @param serverName the name sent as SNI and verified against the certificate, or {@code null} for the backend's
     *     configured host (its address where configured as one)
     */
    public TlsOrigination(SslContext context, String serverName) {
        this.context = Objects.requireNonNull(context, "context");
        this.serverName = serverName == null || serverName.isEmpty() ? null : serverName;
    }

    @Override
    public void addTo(ChannelPipeline pipeline, ConnectionInfo connection) {
        pipeline.addLast(SESSION, new TlsClientHandler(this));
    }

    SslContext context() {
        return context;
    }

    String serverName() {
        return serverName;
    }

    /** A cause as a log value: a decoder's wrapped exception by its own message. */
    static String describe(Throwable cause) {
        Throwable shown = cause instanceof DecoderException && cause.getCause() != null ? cause.getCause() : cause;
        String message = shown.getMessage();
        return (shown.getClass().getSimpleName() + (message == null ? "" : ": " + message)).replace('"', '\'');
    }

    /**
     * Before a close: where the relay ends the connection as an abort ({@code SO_LINGER} 0, the peer gets a reset),
     * the {@code SslHandler} leaves first, so that no {@code close_notify} tells the peer the stream ended whole.
     */
    static void closeWithoutNotifyOnAbort(ChannelHandlerContext ctx) {
        SslHandler ssl = ctx.pipeline().get(SslHandler.class);
        if (ssl == null || !ctx.channel().isActive()) {
            return;
        }
        Integer linger;
        try {
            linger = ctx.channel().config().getOption(ChannelOption.SO_LINGER);
        } catch (RuntimeException gone) {
            return;
        }
        if (linger != null && linger == 0) {
            ctx.pipeline().remove(ssl);
        }
    }
}
