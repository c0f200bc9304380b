package dev.forwarder.core.relay;

import dev.forwarder.core.CloseReason;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.unix.Errors;

import java.io.IOException;

/**
 * Aborts stay aborts: a connection that ends with bytes lost (a reset on either side, an error, the drain period
 * over, an operator's close, a backend taken down, an idle timeout with bytes still queued) is closed with
 * {@code SO_LINGER} 0, so the peer sees a reset as it would have from the other end, never a clean FIN that makes a
 * cut stream look whole (as Envoy's tcp_proxy; HAProxy 2.6 ends with a FIN).
 */
final class Aborts {

    private Aborts() {
    }

    /** {@code client-reset} / {@code backend-reset} for a reset on that side, {@code error} for anything else. */
    static CloseReason reasonFor(boolean clientSide, Throwable cause) {
        if (isReset(cause)) {
            return clientSide ? CloseReason.CLIENT_RESET : CloseReason.BACKEND_RESET;
        }
        return CloseReason.ERROR;
    }

    static boolean isReset(Throwable cause) {
        if (cause instanceof Errors.NativeIoException nativeError) {
            int errno = nativeError.expectedErr();
            return errno == Errors.ERRNO_ECONNRESET_NEGATIVE || errno == Errors.ERRNO_EPIPE_NEGATIVE;
        }
        String message = cause instanceof IOException ? cause.getMessage() : null;
        return message != null && (message.contains("Connection reset") || message.contains("Broken pipe"));
    }

    /** Before both channels close for {@code why}: the sides that must see a reset get {@code SO_LINGER} 0. */
    static void resetWhereLost(CloseReason why, Channel client, Channel backend, boolean bytesQueued) {
        switch (why) {
            case CLIENT_RESET -> reset(backend);
            case BACKEND_RESET -> reset(client);
            case ERROR, SHUTDOWN, ADMIN, BACKEND_DOWN -> {
                reset(client);
                reset(backend);
            }
            case IDLE_TIMEOUT -> {
                if (bytesQueued) {
                    reset(client);
                    reset(backend);
                }
            }
            default -> {
                // Nothing was relayed yet (no backend, connect failed, queue) or the end is a normal one.
            }
        }
    }

    private static void reset(Channel channel) {
        if (channel != null && channel.isOpen()) {
            try {
                channel.config().setOption(ChannelOption.SO_LINGER, 0);
            } catch (RuntimeException closedMeanwhile) {
                // The socket is gone already; its peer saw whatever ended it.
            }
        }
    }
}
