package dev.forwarder.app.loadtest;

import io.netty.channel.ConnectTimeoutException;

import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.Locale;

/** Why a request or connection failed, as counted in the summary. */
public enum ErrorKind {
    CONNECT_REFUSED,
    CONNECT_TIMEOUT,
    /** Connect failed another way (no route, address not available, ...). */
    CONNECT_FAILED,
    /** No complete answer within the request timeout. */
    TIMEOUT,
    /** The peer reset the connection. */
    RESET,
    /** The connection closed before the whole answer arrived (in bulk: closed at all). */
    SHORT_READ,
    /** More bytes arrived than were asked for, or bytes arrived while no request was out. */
    UNEXPECTED_BYTES,
    OTHER;

    /** The name in the summary: {@code connect-refused}, {@code short-read}, ... */
    public String label() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    /** The kind of a failed connect attempt. */
    static ErrorKind ofConnect(Throwable cause) {
        if (cause instanceof ConnectTimeoutException || cause instanceof SocketTimeoutException) {
            return CONNECT_TIMEOUT;
        }
        String message = String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT);
        if (message.contains("refused")) {
            return CONNECT_REFUSED;
        }
        return cause instanceof ConnectException && message.contains("timed out") ? CONNECT_TIMEOUT : CONNECT_FAILED;
    }

    /** The kind of an exception on an established connection. */
    static ErrorKind ofIo(Throwable cause) {
        String message = String.valueOf(cause.getMessage()).toLowerCase(Locale.ROOT);
        if (message.contains("reset") || message.contains("broken pipe")) {
            return RESET;
        }
        return cause instanceof SocketTimeoutException ? TIMEOUT : OTHER;
    }
}
