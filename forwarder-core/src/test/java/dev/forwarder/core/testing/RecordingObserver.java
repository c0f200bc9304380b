package dev.forwarder.core.testing;

import dev.forwarder.core.Backend;
import dev.forwarder.core.CloseReason;
import dev.forwarder.core.ConnectionInfo;
import dev.forwarder.core.ConnectionObserver;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/** Remembers what the relay reported, for assertions. */
public final class RecordingObserver implements ConnectionObserver {

    /** A closed connection as it was when {@link #closed} was called. */
    public record Closed(String id, String backend, long bytesUp, long bytesDown, CloseReason reason, int failed,
            long bytesSpliced) {
    }

    public final AtomicInteger accepted = new AtomicInteger();
    public final AtomicInteger opened = new AtomicInteger();
    public final AtomicLong relayedUp = new AtomicLong();
    public final AtomicLong relayedDown = new AtomicLong();
    public final List<Closed> closed = new CopyOnWriteArrayList<>();
    /** Each {@link #connectTried}: the backend's name and whether the try connected. */
    public final List<String> tries = new CopyOnWriteArrayList<>();
    /** Clients refused at accept: {@code address reason}, e.g. {@code 127.0.0.2 denied}. */
    public final List<String> rejected = new CopyOnWriteArrayList<>();
    /** The client address of each connection as the connection log saw it when it closed. */
    public final List<java.net.SocketAddress> closedClients = new CopyOnWriteArrayList<>();

    @Override
    public void rejected(String listener, java.net.SocketAddress client, dev.forwarder.core.access.RejectReason reason) {
        rejected.add(((java.net.InetSocketAddress) client).getAddress().getHostAddress() + " " + reason.label());
    }

    @Override
    public void accepted(ConnectionInfo connection) {
        accepted.incrementAndGet();
    }

    @Override
    public void connectTried(ConnectionInfo connection, Backend backend, boolean established, long nanos) {
        tries.add(backend.name() + (established ? " connected" : " failed"));
    }

    @Override
    public void opened(ConnectionInfo connection) {
        opened.incrementAndGet();
    }

    @Override
    public void relayed(ConnectionInfo connection, boolean upstream, int bytes) {
        (upstream ? relayedUp : relayedDown).addAndGet(bytes);
    }

    @Override
    public void closed(ConnectionInfo connection) {
        closedClients.add(connection.client());
        closed.add(new Closed(connection.id(), connection.backend() == null ? null : connection.backend().name(),
                connection.bytesUp(), connection.bytesDown(), connection.closeReason(),
                connection.failedBackends().size(), connection.bytesSpliced()));
    }
}
