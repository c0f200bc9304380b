package dev.forwarder.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A plain blocking TCP server on 127.0.0.1 for tests: each accepted socket is handed to {@code session} on its
 * own thread. Closing the server closes every session socket.
 */
public final class BlockingServer implements AutoCloseable {

    /** What the server does with one accepted connection. */
    @FunctionalInterface
    public interface Session {
        void handle(Socket socket) throws IOException;
    }

    private final ServerSocket serverSocket;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "test-backend");
        thread.setDaemon(true);
        return thread;
    });
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();

    private BlockingServer(Session session, int backlog) throws IOException {
        serverSocket = new ServerSocket(0, backlog, InetAddress.getLoopbackAddress());
        threads.execute(() -> acceptLoop(session));
    }

    public static BlockingServer start(Session session) {
        return start(session, 50);
    }

    /** A server that echoes every byte back until the client's EOF. */
    public static BlockingServer echo() {
        return start(socket -> socket.getInputStream().transferTo(socket.getOutputStream()));
    }

    public static BlockingServer start(Session session, int backlog) {
        try {
            return new BlockingServer(session, backlog);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void acceptLoop(Session session) {
        while (!serverSocket.isClosed()) {
            Socket socket;
            try {
                socket = serverSocket.accept();
            } catch (IOException closed) {
                return;
            }
            accepted.incrementAndGet();
            sockets.add(socket);
            threads.execute(() -> {
                try (socket) {
                    session.handle(socket);
                } catch (IOException ignored) {
                    // The peer went away; the test's own assertions say whether that was expected.
                } finally {
                    sockets.remove(socket);
                }
            });
        }
    }

    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), serverSocket.getLocalPort());
    }

    /** Connections accepted so far. */
    public int accepted() {
        return accepted.get();
    }

    @Override
    public void close() {
        try {
            serverSocket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        for (Socket socket : sockets) {
            try {
                socket.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        threads.shutdownNow();
    }
}
