package dev.forwarder.it.balancer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Idle connections that fill the accept queue of a paused server with a tiny listen backlog, so that a connect to it
 * hangs until the server accepts again. Pausing alone does not slow a connect: the kernel completes handshakes for
 * the frozen process until its queue is full, and only then drops new SYNs (the client retries its SYN after 1 s,
 * 3 s, 7 s...). It works only where nothing accepts on the server's behalf, such as a docker-proxy in front of a
 * published port ({@link dev.forwarder.it.support.Backends#hostNetworkEcho}).
 */
final class AcceptQueueFill implements AutoCloseable {

    /** A connect not done within this hangs: on the loopback one takes well under a millisecond. */
    static final Duration HANGING = Duration.ofMillis(500);
    /** Linux queues backlog + 1 connections; more than this means the backlog is not tiny or nothing is paused. */
    private static final int MAX_HELD = 16;

    private final List<Socket> held;

    private AcceptQueueFill(List<Socket> held) {
        this.held = held;
    }

    /**
     * Connects to {@code server} until a connect hangs, keeping the connections that got through, and checks that
     * the next connect hangs too: the queue is full, not briefly slow.
     *
     * @throws IllegalStateException when connects keep getting through
     */
    static AcceptQueueFill fill(InetSocketAddress server) throws IOException {
        List<Socket> held = new ArrayList<>();
        try {
            while (connects(server, held)) {
                if (held.size() > MAX_HELD) {
                    throw new IllegalStateException(held.size() + " connects to " + server + " got through:"
                            + " not a paused server with a tiny backlog");
                }
            }
            if (connects(server, held)) {
                throw new IllegalStateException("a connect to " + server + " got through after one hung");
            }
            return new AcceptQueueFill(held);
        } catch (IOException | RuntimeException e) {
            try {
                closeAll(held);
            } catch (IOException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    /** Whether a connect to {@code server} is done within {@link #HANGING}; the connection is closed again. */
    static boolean connectsQuickly(InetSocketAddress server) throws IOException {
        List<Socket> connected = new ArrayList<>(1);
        try {
            return connects(server, connected);
        } finally {
            closeAll(connected);
        }
    }

    private static boolean connects(InetSocketAddress server, List<Socket> connected) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(server, (int) HANGING.toMillis());
            connected.add(socket);
            return true;
        } catch (SocketTimeoutException e) {
            socket.close();
            return false;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** The connections sitting in the server's accept queue. */
    int size() {
        return held.size();
    }

    @Override
    public void close() throws IOException {
        closeAll(held);
    }

    private static void closeAll(List<Socket> sockets) throws IOException {
        IOException first = null;
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException e) {
                first = first == null ? e : first;
            }
        }
        if (first != null) {
            throw first;
        }
    }
}
