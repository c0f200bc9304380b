package dev.forwarder.app;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
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
 * An echo backend on 127.0.0.1 whose listening socket can be closed and reopened on the same port while the
 * connections it accepted stay open: a backend whose health check fails while its sessions live on.
 */
public final class EchoBackend implements AutoCloseable {

    private final int port;
    private final Set<Socket> sessions = ConcurrentHashMap.newKeySet();
    private final AtomicInteger accepted = new AtomicInteger();
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "test-echo-backend");
        thread.setDaemon(true);
        return thread;
    });
    private volatile ServerSocket listening;

    private EchoBackend(int port) {
        this.port = port;
    }

    /** A backend listening on a free port. */
    public static EchoBackend start() {
        EchoBackend backend = new EchoBackend(0);
        backend.listen(0);
        return backend;
    }

    /** A backend that owns a free port but does not listen yet: connects to it are refused. */
    static EchoBackend notListening() {
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return new EchoBackend(probe.getLocalPort());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return listening != null ? listening.getLocalPort() : port;
    }

    void listen() {
        listen(port());
    }

    private void listen(int onPort) {
        try {
            ServerSocket socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort), 200);
            listening = socket;
            threads.execute(() -> acceptLoop(socket));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void acceptLoop(ServerSocket socket) {
        while (!socket.isClosed()) {
            try {
                Socket session = socket.accept();
                accepted.incrementAndGet();
                sessions.add(session);
                threads.execute(() -> echo(session));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void echo(Socket session) {
        try (session) {
            InputStream in = session.getInputStream();
            OutputStream out = session.getOutputStream();
            byte[] buffer = new byte[4096];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                out.write(buffer, 0, n);
                out.flush();
            }
        } catch (IOException ignored) {
            // the peer went away
        } finally {
            sessions.remove(session);
        }
    }

    /** The member name forwarder gives it, {@code 127.0.0.1:PORT}. */
    public String member() {
        return "127.0.0.1:" + port();
    }

    /** Where it listens. */
    public InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port());
    }

    /** Connections accepted so far (health checks included). */
    public int accepted() {
        return accepted.get();
    }

    /** Open sessions. */
    int sessions() {
        return sessions.size();
    }

    /** Stops listening; open sessions carry on. */
    void stopListening() {
        try {
            if (listening != null) {
                listening.close();
            }
        } catch (IOException ignored) {
            // closing anyway
        }
    }

    @Override
    public void close() {
        stopListening();
        for (Socket session : sessions) {
            try {
                session.close();
            } catch (IOException ignored) {
                // closing anyway
            }
        }
        threads.shutdownNow();
    }
}
