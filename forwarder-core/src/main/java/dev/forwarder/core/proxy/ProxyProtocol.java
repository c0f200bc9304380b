package dev.forwarder.core.proxy;

import java.util.Locale;

/** Which PROXY protocol header a listener accepts, or a pool sends: {@code off}, {@code v1}, {@code v2}, {@code any}. */
public enum ProxyProtocol {
    /** None: the connection's bytes are the client's own from the first. */
    OFF,
    /** The text header, {@code PROXY TCP4 192.0.2.1 198.51.100.1 56324 443\r\n}. */
    V1,
    /** The binary header (12-byte signature, then addresses and TLVs). */
    V2,
    /** Either version (accept only). */
    ANY;

    private final String label = name().toLowerCase(Locale.ROOT);

    /** The config name, e.g. {@code v2}. */
    public String label() {
        return label;
    }
}
