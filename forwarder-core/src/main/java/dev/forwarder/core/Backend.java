package dev.forwarder.core;

import java.net.InetSocketAddress;

/**
 * A server the relay can connect a client to. Implementations are shared by every connection to that server
 * and carry whatever per-backend state the chooser keeps (active connections, health).
 */
public interface Backend {

    /** A stable name for logs and metrics, e.g. {@code 127.0.0.1:9001}. */
    String name();

    /** Where to connect. Resolved by the chooser; the relay never resolves names on the event loop. */
    InetSocketAddress address();
}
