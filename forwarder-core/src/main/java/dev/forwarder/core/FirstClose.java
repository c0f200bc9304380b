package dev.forwarder.core;

import java.util.Locale;

/** Which side of a relayed connection ended first, and how: the {@code first_close} field of the close line. */
public enum FirstClose {
    /** The client sent its FIN first (it may still have read the answer: a half-close). */
    CLIENT_FIN,
    /** The backend sent its FIN first. */
    BACKEND_FIN,
    /** The client reset the connection before either side's FIN. */
    CLIENT_RST,
    /** The backend reset the connection before either side's FIN. */
    BACKEND_RST,
    /** forwarder ended it before either peer did: a timeout, an operator, shutdown, a refused connect, an error. */
    FORWARDER;

    private final String label = name().toLowerCase(Locale.ROOT).replace('_', '-');

    /** As the log spells it: {@code client-fin}, {@code backend-rst}, {@code forwarder}. */
    public String label() {
        return label;
    }

    /** What a close for {@code reason} says about who ended first, when no FIN came before it. */
    public static FirstClose of(CloseReason reason) {
        return switch (reason) {
            case CLIENT_CLOSED -> CLIENT_FIN;
            case BACKEND_CLOSED -> BACKEND_FIN;
            case CLIENT_RESET -> CLIENT_RST;
            case BACKEND_RESET -> BACKEND_RST;
            default -> FORWARDER;
        };
    }
}
