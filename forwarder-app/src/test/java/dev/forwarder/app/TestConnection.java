package dev.forwarder.app;

import dev.forwarder.core.Backend;
import dev.forwarder.core.CloseReason;
import dev.forwarder.core.ConnectionInfo;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;

/** A connection on listener {@code web} as the relay would show it to an observer; a test sets what it needs. */
public final class TestConnection implements ConnectionInfo {

    private final String id;
    private final SocketAddress client;
    private final Backend backend;
    /** Bytes each way so far, as {@link #bytesUp()} and {@link #bytesDown()} report them. */
    public long up;
    public long down;
    public long acceptedNanos;
    public CloseReason closeReason;

    public TestConnection(String id, SocketAddress client, Backend backend) {
        this.id = id;
        this.client = client;
        this.backend = backend;
    }

    /** Connection 1 from 127.0.0.1:40000, no backend yet. */
    public TestConnection() {
        this("1", new InetSocketAddress("127.0.0.1", 40000), null);
    }

    /** Connection 1, accepted at {@code acceptedNanos} and closed for {@code reason} (null: still open). */
    public static TestConnection closed(CloseReason reason, long acceptedNanos) {
        TestConnection connection = new TestConnection();
        connection.closeReason = reason;
        connection.acceptedNanos = acceptedNanos;
        return connection;
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public String listener() {
        return "web";
    }

    @Override
    public SocketAddress client() {
        return client;
    }

    @Override
    public Backend backend() {
        return backend;
    }

    @Override
    public List<Backend> failedBackends() {
        return List.of();
    }

    @Override
    public long bytesUp() {
        return up;
    }

    @Override
    public long bytesDown() {
        return down;
    }

    @Override
    public long acceptedNanos() {
        return acceptedNanos;
    }

    @Override
    public CloseReason closeReason() {
        return closeReason;
    }
}
