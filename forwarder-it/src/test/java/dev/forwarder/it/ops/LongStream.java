package dev.forwarder.it.ops;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * One long-lived connection to a host-name echo (its first line is the backend's host name, then every byte comes
 * back): a writer thread sends pseudo-random chunks at a steady pace until {@link #finish}, then shuts its output;
 * a reader thread hashes what comes back until the end of the stream. The pace is load shaping (a stream that
 * lives through several reloads without sending gigabytes), not synchronisation.
 */
final class LongStream {

    /** What one stream sent and got back, and who answered. */
    record Result(String backend, long sent, String sentSha256, long received, String receivedSha256,
            Throwable error) {
        boolean intact() {
            return error == null && sent == received && sentSha256.equals(receivedSha256);
        }
    }

    private final Socket socket;
    private final String backend;
    private final Thread writer;
    private final Thread reader;
    private final AtomicReference<Throwable> error = new AtomicReference<>();
    private volatile boolean stopping;
    private volatile long sent;
    private volatile long received;
    private volatile String sentSha256 = "";
    private volatile String receivedSha256 = "";

    private LongStream(Socket socket, String backend, long seed, int chunk, Duration pause) {
        this.socket = socket;
        this.backend = backend;
        this.writer = new Thread(() -> write(seed, chunk, pause.toNanos()), "stream-writer-" + seed);
        this.reader = new Thread(this::read, "stream-reader-" + seed);
        writer.setDaemon(true);
        reader.setDaemon(true);
        reader.start();
        writer.start();
    }

    /** Connects, reads the backend's name and starts streaming {@code chunk} bytes every {@code pause}. */
    static LongStream open(InetSocketAddress target, long seed, int chunk, Duration pause) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(target, 10_000);
            socket.setSoTimeout(30_000);
            return new LongStream(socket, readLine(socket.getInputStream()), seed, chunk, pause);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    /** The first line a host-name echo sends; byte by byte, so nothing after it is read here. */
    static String readLine(InputStream in) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int b = in.read(); b != '\n'; b = in.read()) {
            if (b < 0 || line.length() > 256) {
                throw new IOException("no host name line from the backend (got \"" + line + "\")");
            }
            line.append((char) b);
        }
        return line.toString();
    }

    String backend() {
        return backend;
    }

    long sent() {
        return sent;
    }

    /** Stops writing, shuts the output, and waits for the echo to end. */
    Result finish(Duration timeout) throws InterruptedException {
        stopping = true;
        long deadline = System.nanoTime() + timeout.toNanos();
        writer.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        reader.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
        if (writer.isAlive() || reader.isAlive()) {
            error.compareAndSet(null, new IllegalStateException("stream to " + backend + " not done within "
                    + timeout + " (sent " + sent + ", received " + received + ")"));
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // Closing a finished socket: nothing to report.
        }
        return new Result(backend, sent, sentSha256, received, receivedSha256, error.get());
    }

    private void write(long seed, int chunk, long pauseNanos) {
        SplittableRandom random = new SplittableRandom(seed);
        MessageDigest digest = sha256();
        byte[] bytes = new byte[chunk];
        try {
            OutputStream out = socket.getOutputStream();
            while (!stopping) {
                random.nextBytes(bytes);
                out.write(bytes);
                digest.update(bytes);
                sent += chunk;
                LockSupport.parkNanos(pauseNanos);
            }
            out.flush();
            sentSha256 = HexFormat.of().formatHex(digest.digest());
            socket.shutdownOutput();
        } catch (IOException e) {
            error.compareAndSet(null, new UncheckedIOException("writing to " + backend, e));
        }
    }

    private void read() {
        MessageDigest digest = sha256();
        byte[] buffer = new byte[64 * 1024];
        try {
            InputStream in = socket.getInputStream();
            for (int n; (n = in.read(buffer)) >= 0; ) {
                digest.update(buffer, 0, n);
                received += n;
            }
            receivedSha256 = HexFormat.of().formatHex(digest.digest());
        } catch (IOException e) {
            error.compareAndSet(null, new UncheckedIOException("reading from " + backend, e));
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Connects, reads the backend's name line, closes: which backend a new connection goes to. */
    static String firstLine(InetSocketAddress target) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(target, 10_000);
            socket.setSoTimeout(10_000);
            return readLine(socket.getInputStream());
        }
    }

    static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
