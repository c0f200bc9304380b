package dev.forwarder.app.admin;

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

/** An echo backend on 127.0.0.1 that counts the connections it accepted. */
final class TestEcho implements AutoCloseable {

    private final ServerSocket listening;
    private final AtomicInteger accepted = new AtomicInteger();
    private final Set<Socket> sessions = ConcurrentHashMap.newKeySet();
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "test-echo");
        thread.setDaemon(true);
        return thread;
    });

    TestEcho() {
        try {
            listening = new ServerSocket(0, 200, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        threads.execute(this::acceptLoop);
    }

    private void acceptLoop() {
        while (!listening.isClosed()) {
            try {
                Socket session = listening.accept();
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

    int port() {
        return listening.getLocalPort();
    }

    /** The member name forwarder gives it. */
    String member() {
        return "127.0.0.1:" + port();
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), port());
    }

    int accepted() {
        return accepted.get();
    }

    @Override
    public void close() {
        try {
            listening.close();
        } catch (IOException ignored) {
            // closing anyway
        }
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
