package dev.forwarder.core;

import dev.forwarder.core.access.RejectReason;

import java.net.SocketAddress;
import java.util.List;

/** {@link ConnectionObserver#compose}: arrays, not lists, on the per-read path. */
final class CompositeObserver implements ConnectionObserver {

    private final ConnectionObserver[] all;
    private final ConnectionObserver[] bytes;

    CompositeObserver(List<ConnectionObserver> observers) {
        this.all = observers.toArray(new ConnectionObserver[0]);
        this.bytes = observers.stream().filter(ConnectionObserver::observesBytes).toArray(ConnectionObserver[]::new);
    }

    @Override
    public void accepted(ConnectionInfo connection) {
        for (ConnectionObserver observer : all) {
            observer.accepted(connection);
        }
    }

    @Override
    public void connectTried(ConnectionInfo connection, Backend backend, boolean established, long nanos) {
        for (ConnectionObserver observer : all) {
            observer.connectTried(connection, backend, established, nanos);
        }
    }

    @Override
    public void opened(ConnectionInfo connection) {
        for (ConnectionObserver observer : all) {
            observer.opened(connection);
        }
    }

    @Override
    public void relayed(ConnectionInfo connection, boolean upstream, int bytesRelayed) {
        for (ConnectionObserver observer : bytes) {
            observer.relayed(connection, upstream, bytesRelayed);
        }
    }

    @Override
    public boolean observesBytes() {
        return bytes.length > 0;
    }

    @Override
    public ConnectionObserver bytesObserver() {
        return switch (bytes.length) {
            case 0 -> null;
            case 1 -> bytes[0];
            default -> this;
        };
    }

    @Override
    public void rejected(String listener, SocketAddress client, RejectReason reason) {
        for (ConnectionObserver observer : all) {
            observer.rejected(listener, client, reason);
        }
    }

    @Override
    public void closed(ConnectionInfo connection) {
        // Last in, first out: the first observer (the registry) hears last, so a connection has left the registry
        // only once every other observer (metrics, the connection log) has seen it close.
        for (int i = all.length - 1; i >= 0; i--) {
            all[i].closed(connection);
        }
    }
}
