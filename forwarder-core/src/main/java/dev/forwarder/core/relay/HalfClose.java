package dev.forwarder.core.relay;

import dev.forwarder.core.CloseReason;
import dev.forwarder.core.ConnectionState;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.unix.Socket;
import io.netty.channel.unix.UnixChannel;

import java.io.IOException;

/**
 * How a FIN travels: when one side finishes sending, its FIN is passed on once everything it sent is flushed; when
 * the other side has finished too, the connection ends normally.
 */
final class HalfClose {

    private HalfClose() {
    }

    /** {@code direction}'s source sent FIN. */
    static void inputEnded(RelayConnection connection, Direction direction) {
        connection.finFrom(direction.upstream);
        Channel peer = direction.target;
        switch (connection.state) {
            case CONNECTING -> {
                if (!direction.upstream) {
                    // A backend handler let the backend's FIN through before its channelActive: it ends at once.
                    connection.close(CloseReason.BACKEND_CLOSED);
                } else if (direction.bytes() == 0 && connection.isQueued()) {
                    // A client that closes while it waits in the queue, before it sent anything, has left (a
                    // half-closed request would have bytes ahead of its FIN): it leaves the queue now. During a
                    // connect it stays: a server-speaks-first backend may still answer it (a banner check).
                    connection.close(CloseReason.CLIENT_CLOSED);
                } else {
                    connection.earlyClientFin = true;
                }
            }
            case OPEN -> {
                connection.state = direction.upstream ? ConnectionState.CLIENT_DONE : ConnectionState.BACKEND_DONE;
                connection.reason(direction.upstream ? CloseReason.CLIENT_CLOSED : CloseReason.BACKEND_CLOSED);
                peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) HalfClose::shutdownOutput);
            }
            case CLIENT_DONE, BACKEND_DONE -> {
                boolean otherSideAlreadyDone = (connection.state == ConnectionState.CLIENT_DONE) != direction.upstream;
                if (otherSideAlreadyDone) {
                    connection.closingNormally();
                    ChannelFutureListener close = f -> connection.closeChannels();
                    Direction first = direction.upstream ? connection.down() : connection.up();
                    if (first.pendingBytes() == 0) {
                        peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(close);
                    } else {
                        // The first FIN still waits behind bytes its reader has not taken yet: closing now would
                        // drop them and end that stream looking complete. Close once both directions are through.
                        ChannelFuture firstThrough = first.target.writeAndFlush(Unpooled.EMPTY_BUFFER);
                        firstThrough.addListener(f -> peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(close));
                    }
                }
            }
            default -> {
                // CLOSING or CLOSED: already ending.
            }
        }
    }

    /** Whether {@link #shutdownOutput} ran for {@code channel}: after that, its own FIN ends it normally. */
    static boolean outputShut(Channel channel) {
        return !channel.config().getOption(ChannelOption.ALLOW_HALF_CLOSURE);
    }

    private static void shutdownOutput(ChannelFuture flushed) {
        if (!flushed.isSuccess()) {
            return;
        }
        Channel channel = flushed.channel();
        io.netty.handler.ssl.SslHandler tls = channel.pipeline().get(io.netty.handler.ssl.SslHandler.class);
        if (tls != null && !tls.engine().isOutboundDone() && closeNotifyFirst(tls)) {
            // TLS: the FIN goes after a close_notify, which tells the peer the stream ended whole (without it a
            // TLS peer sees a truncation).
            tls.closeOutbound().addListener((ChannelFutureListener) HalfClose::shutdownSocket);
            return;
        }
        shutdownSocket(flushed);
    }

    /**
     * The JDK's engine keeps reading after it sent close_notify (TLS 1.3 half-close). BoringSSL through Netty reads
     * no more application data once it did: on a backend side (forwarder the TLS client) the answer still on its
     * way would be lost, so there the FIN goes alone and close_notify only at the end; a TLS client of forwarder's
     * gets close_notify first, as it expects at the end of a response.
     */
    private static boolean closeNotifyFirst(io.netty.handler.ssl.SslHandler tls) {
        return !(tls.engine() instanceof io.netty.handler.ssl.ReferenceCountedOpenSslEngine) || !tls.engine().getUseClientMode();
    }

    private static void shutdownSocket(ChannelFuture flushed) {
        if (!flushed.isSuccess()) {
            return;
        }
        Channel channel = flushed.channel();
        // Nothing more will be written to this side; its own FIN now ends the connection. Without half-closure Netty
        // closes it at that FIN instead of shutting its input down first, which on a socket whose both FINs are
        // through fails (ENOTCONN) and costs an exception per connection; channelClosed ends it.
        channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, false);
        if (channel instanceof UnixChannel unix && unix.fd() instanceof Socket socket) {
            // Netty's shutdownOutput() builds an exception with a stack trace per call (to fail writes still queued;
            // there are none, the flush is done): on epoll and io_uring the socket is shut directly, through Netty's
            // own socket object, so the channel still reports isOutputShutdown().
            try {
                socket.shutdown(false, true);
            } catch (IOException e) {
                // The peer is gone already (reset): its FIN or error ends the connection.
            }
        } else {
            ((DuplexChannel) channel).shutdownOutput();
        }
    }
}
