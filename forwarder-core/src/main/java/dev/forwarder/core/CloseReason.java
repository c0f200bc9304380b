package dev.forwarder.core;

import java.util.Locale;

/** Why a relayed connection ended: the first cause wins and is what the close log line reports. */
public enum CloseReason {
    /** The client closed (or half-closed) first and both directions then ended. */
    CLIENT_CLOSED,
    /** The backend closed (or half-closed) first and both directions then ended. */
    BACKEND_CLOSED,
    /** Neither side sent nor received anything for the listener's idle timeout. */
    IDLE_TIMEOUT,
    /** Every connect attempt failed: refused, timed out or unreachable. */
    CONNECT_FAILED,
    /** The chooser had no backend to offer. */
    NO_BACKEND,
    /** Every backend stayed at its connection limit for the whole queue timeout. */
    QUEUE_TIMEOUT,
    /** The backend was marked down and its pool closes the sessions of a down backend. */
    BACKEND_DOWN,
    /** The client reset the connection (RST) while it was open: the reset is passed on to the backend. */
    CLIENT_RESET,
    /** The backend reset the connection (RST) while it was open: the reset is passed on to the client. */
    BACKEND_RESET,
    /** The chooser's queue of waiting connections was full: the client is closed at once. */
    QUEUE_FULL,
    /** An operator closed the connection by its id (admin port, {@code BoundListener.close(id)}). */
    ADMIN,
    /** Any other I/O error on either side. */
    ERROR,
    /** The forwarder was shutting down and the drain period ended. */
    SHUTDOWN,
    /** The client sent nothing within the listener's {@code first-byte-timeout}; no backend was chosen. */
    FIRST_BYTE_TIMEOUT,
    /** Refused by allow/deny or a limit once a PROXY header named the client ({@code rejected.REASON} says which). */
    REJECTED,
    /** The PROXY header was malformed, truncated, of a version the listener does not accept, or too long. */
    PROXY_HEADER_INVALID,
    /** No complete PROXY header arrived within the listener's {@code proxy-header-timeout}. */
    PROXY_HEADER_TIMEOUT,
    /**
     * A TLS handshake did not complete: on a terminating listener (not TLS, a bad or hostile record, no common
     * protocol or cipher, the client gave up, {@code handshake-timeout}); or, for a pool that originates TLS, with
     * every backend tried (a certificate that does not verify, a name that does not match).
     */
    TLS_HANDSHAKE_FAILED;

    private final String label = name().toLowerCase(Locale.ROOT).replace('_', '-');

    /** The hyphenated name used in logs and metrics, e.g. {@code idle-timeout}. */
    public String label() {
        return label;
    }
}
