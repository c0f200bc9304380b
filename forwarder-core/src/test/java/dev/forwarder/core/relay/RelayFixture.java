package dev.forwarder.core.relay;

import dev.forwarder.core.BackendChooser;
import dev.forwarder.core.BoundListener;
import dev.forwarder.core.ConnectPolicy;
import dev.forwarder.core.ConnectionHandlers;
import dev.forwarder.core.ConnectionObserver;
import dev.forwarder.core.ListenerBindException;
import dev.forwarder.core.ListenerSettings;
import dev.forwarder.core.RelayServer;
import dev.forwarder.core.Transport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

/** A relay server with one listener on 127.0.0.1, for tests. */
final class RelayFixture implements AutoCloseable {

    final RelayServer server;
    final BoundListener listener;

    RelayFixture(Transport transport, ListenerSettings settings, BackendChooser chooser, ConnectionObserver observer,
            int connectTries) {
        this(transport, settings, chooser, observer, ConnectPolicy.ofTries(connectTries));
    }

    RelayFixture(Transport transport, ListenerSettings settings, BackendChooser chooser, ConnectionObserver observer,
            ConnectPolicy policy) {
        this(transport, settings, chooser, observer, policy, PipeBudget.ofDescriptorLimit());
    }

    RelayFixture(Transport transport, ListenerSettings settings, BackendChooser chooser, ConnectionObserver observer,
            ConnectPolicy policy, PipeBudget pipes) {
        this(transport, settings, chooser, observer, policy, pipes, null);
    }

    RelayFixture(Transport transport, ListenerSettings settings, BackendChooser chooser, ConnectionObserver observer,
            ConnectPolicy policy, ConnectionHandlers clientHandlers) {
        this(transport, settings, chooser, observer, policy, PipeBudget.ofDescriptorLimit(), clientHandlers);
    }

    RelayFixture(Transport transport, ListenerSettings settings, BackendChooser chooser, ConnectionObserver observer,
            ConnectPolicy policy, PipeBudget pipes, ConnectionHandlers clientHandlers) {
        server = RelayServer.start(forced(transport), 2, pipes);
        try {
            listener = server.bind(settings, chooser, observer, policy, clientHandlers);
        } catch (ListenerBindException e) {
            server.close();
            throw new IllegalStateException(e);
        }
    }

    /**
     * {@code -Dforwarder.test.transport=io-uring} (or epoll, nio) runs every test that asks for {@code AUTO} on that
     * transport: {@code mvn -pl forwarder-core test -Dforwarder.test.transport=io-uring}.
     */
    static Transport forced(Transport requested) {
        String forced = System.getProperty("forwarder.test.transport", "");
        if (requested != Transport.AUTO || forced.isEmpty()) {
            return requested;
        }
        for (Transport transport : Transport.values()) {
            if (transport.configName().equals(forced)) {
                return transport;
            }
        }
        throw new IllegalArgumentException("forwarder.test.transport: " + forced
                + " (expected: auto, epoll, io-uring or nio)");
    }

    static ListenerSettings settings() {
        return ListenerSettings.of("test", new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    }

    Socket connect() {
        try {
            Socket socket = new Socket();
            socket.connect(listener.localAddress(), 5_000);
            socket.setSoTimeout(30_000);
            return socket;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        server.close();
    }
}
