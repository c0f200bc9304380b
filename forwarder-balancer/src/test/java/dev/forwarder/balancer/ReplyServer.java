package dev.forwarder.balancer;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A backend for health-check tests on 127.0.0.1: reads a request (lines up to a blank one, or one line that is not
 * an HTTP request line), then writes {@link #reply(String)} and closes. {@link #pause()} makes it behave like a
 * stopped process: connections are still accepted (by the kernel) but nothing is answered until {@link #resume()}.
 */
final class ReplyServer implements AutoCloseable {

    private final ServerSocket serverSocket;
    private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
        Thread thread = new Thread(r, "test-reply-server");
        thread.setDaemon(true);
        return thread;
    });
    private final Object pauseLock = new Object();
    private final AtomicInteger requests = new AtomicInteger();
    private volatile String reply;
    private boolean paused;

    ReplyServer(String reply) {
        this.reply = reply;
        try {
            serverSocket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        threads.execute(this::acceptLoop);
    }

    static ReplyServer http(int status) {
        return new ReplyServer(httpReply(status));
    }

    static String httpReply(int status) {
        return "HTTP/1.1 " + status + " Test\r\nContent-Length: 0\r\nConnection: close\r\n\r\n";
    }

    private void acceptLoop() {
        while (!serverSocket.isClosed()) {
            try {
                Socket socket = serverSocket.accept();
                threads.execute(() -> serve(socket));
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void serve(Socket socket) {
        try (socket) {
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                    StandardCharsets.ISO_8859_1));
            String first = in.readLine();
            if (first != null && first.startsWith("GET ")) {
                for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                    // headers
                }
            }
            requests.incrementAndGet();
            synchronized (pauseLock) {
                while (paused) {
                    pauseLock.wait();
                }
            }
            OutputStream out = socket.getOutputStream();
            out.write(reply.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
        } catch (IOException | InterruptedException ignored) {
            // the checker gave up on this connection
        }
    }

    void reply(String text) {
        reply = text;
    }

    void pause() {
        synchronized (pauseLock) {
            paused = true;
        }
    }

    void resume() {
        synchronized (pauseLock) {
            paused = false;
            pauseLock.notifyAll();
        }
    }

    /** Requests read so far. */
    int requests() {
        return requests.get();
    }

    InetSocketAddress address() {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), serverSocket.getLocalPort());
    }

    int port() {
        return serverSocket.getLocalPort();
    }

    @Override
    public void close() {
        try {
            serverSocket.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        resume();
        threads.shutdownNow();
    }
}
