package dev.forwarder.core;

import java.io.IOException;

/** A listener could not bind its address, typically because the port is already in use. */
public final class ListenerBindException extends IOException {

    private static final long serialVersionUID = 1L;

    public ListenerBindException(String message, Throwable cause) {
        super(message, cause);
    }
}
