package dev.forwarder.core;

import dev.forwarder.core.relay.Pipelines;
import dev.forwarder.core.relay.RelayConnection;
import dev.forwarder.core.relay.RelayContext;
import io.netty.channel.Channel;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A listener bound by {@link RelayServer#bind}: one or more server sockets on the same address (one per event
 * loop where the transport accepts on every loop) and the connections they accepted.
 */
public final class BoundListener {

    private static final Logger log = LoggerFactory.getLogger(BoundListener.class);

    /** Binds the listener's server sockets on an address; used again to resume after a pause. */
    interface Binder {
        List<Channel> bind(InetSocketAddress address) throws ListenerBindException;
    }

    private enum AcceptState { ACCEPTING, PAUSED, STOPPED }

    private final RelayContext context;
    private final Binder binder;
    private final InetSocketAddress localAddress;
    // Guarded by this; pausing and resuming are rare, never on the relay's path.
    private List<Channel> serverChannels;
    private AcceptState acceptState = AcceptState.ACCEPTING;

    BoundListener(RelayContext context, Binder binder, List<Channel> serverChannels) {
        this.context = context;
        this.binder = binder;
        this.serverChannels = List.copyOf(serverChannels);
        this.localAddress = (InetSocketAddress) serverChannels.get(0).localAddress();
    }

    public String name() {
        return context.settings().name();
    }

    public ListenerSettings settings() {
        return context.settings();
    }

    /** The address actually bound, with the real port when the settings asked for port 0. */
    public InetSocketAddress localAddress() {
        return localAddress;
    }

    /** Connections accepted and not yet closed. */
    public int activeConnections() {
        return context.clientChannels().size();
    }

    /** Bytes queued in user space for all open connections: what back-pressure keeps bounded. */
    public long pendingWriteBytes() {
        long total = 0;
        for (Channel channel : context.clientChannels()) {
            RelayConnection connection = connection(channel);
            if (connection != null) {
                total += connection.pendingWriteBytes();
            }
        }
        return total;
    }

    /** The client channels of the open connections, for tests and diagnostics; a live, thread-safe view. */
    public Iterable<Channel> clientChannels() {
        return context.clientChannels();
    }

    /** Whether the listening sockets are open. */
    public synchronized boolean isAccepting() {
        return acceptState == AcceptState.ACCEPTING;
    }

    /**
     * Closes the listening sockets so that new clients are refused by the kernel (not accepted and then reset);
     * open connections carry on. Idempotent.
     */
    public synchronized void pauseAccepting() {
        if (acceptState != AcceptState.ACCEPTING) {
            return;
        }
        closeServerChannels();
        awaitReleased();
        acceptState = AcceptState.PAUSED;
        log.info("paused accepting listener={} address={}", name(), Addresses.format(localAddress));
    }

    /**
     * Binds the listening sockets again on the same address after {@link #pauseAccepting()}. Idempotent.
     *
     * @throws ListenerBindException when something else took the port meanwhile; the listener stays paused
     */
    public synchronized void resumeAccepting() throws ListenerBindException {
        if (acceptState != AcceptState.PAUSED) {
            return;
        }
        serverChannels = List.copyOf(binder.bind(localAddress));
        acceptState = AcceptState.ACCEPTING;
        log.info("resumed accepting listener={} address={}", name(), Addresses.format(localAddress));
    }

    /** Closes the server sockets for good; open connections carry on. Returns once they are closed. */
    public synchronized void stopAccepting() {
        if (acceptState == AcceptState.ACCEPTING) {
            closeServerChannels();
        }
        acceptState = AcceptState.STOPPED;
    }

    /**
     * Java NIO closes a listening socket registered with a selector only when that selector next runs, and until
     * then the kernel still completes handshakes. Pausing returns once a plain bind of the address succeeds, i.e.
     * once the kernel refuses new clients; bounded to two seconds.
     */
    private void awaitReleased() {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
        while (System.nanoTime() - deadline < 0) {
            try (ServerSocket probe = new ServerSocket()) {
                probe.setReuseAddress(true);
                probe.bind(localAddress);
                return;
            } catch (IOException stillBound) {
                Thread.onSpinWait();
            }
        }
        log.warn("listening socket still bound after pause listener={} address={}", name(),
                Addresses.format(localAddress));
    }

    private void closeServerChannels() {
        for (Channel channel : serverChannels) {
            channel.close().syncUninterruptibly();
        }
    }

    /** Ends every open connection now, with {@code reason} in its close log line. */
    public void closeConnections(CloseReason reason) {
        forEachConnection(connection -> connection.close(reason));
    }

    /** Ends the open connections relayed to {@code backend} now, e.g. because it was marked down. */
    public void closeConnections(Backend backend, CloseReason reason) {
        forEachConnection(connection -> {
            if (connection.backend() == backend) {
                connection.close(reason);
            }
        });
    }

    /** Runs {@code action} on each open connection, on that connection's event loop. */
    private void forEachConnection(Consumer<RelayConnection> action) {
        for (Channel channel : context.clientChannels()) {
            channel.eventLoop().execute(() -> {
                RelayConnection connection = connection(channel);
                if (connection != null) {
                    action.accept(connection);
                }
            });
        }
    }

    private static RelayConnection connection(Channel channel) {
        return (RelayConnection) channel.pipeline().get(Pipelines.RELAY);
    }

    @Override
    public String toString() {
        return "listener " + name() + " on " + Addresses.format(localAddress);
    }
}
