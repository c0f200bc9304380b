package dev.forwarder.it.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One connection to an echo server through forwarder: a writer sends seeded random bytes in random-sized writes
 * (1 byte to {@code maxWrite}) and then shuts its output (a half-close); a reader reads the echo to its end. Both
 * sides are hashed with SHA-256. The writer stops after {@code bytes}, or, for {@code bytes < 0}, when
 * {@link #finish()} is called; {@code pauseNanos} between writes paces a steady stream.
 */
final class EchoStream {

    /** How a stream ended: what went out and came back, and the error that ended either side, if any. */
    record Result(int localPort, long sent, String sentSha256, long received, String receivedSha256, String error) {
        boolean intact() {
            return error == null && sent == received && sentSha256.equals(receivedSha256);
        }
    }

    private final Socket socket = new Socket();
    private final long bytes;
    private final long seed;
    private final int maxWrite;
    private final long pauseNanos;
    private volatile boolean finishing;
    private final CompletableFuture<Result> result = new CompletableFuture<>();

    EchoStream(long bytes, long seed, int maxWrite, long pauseNanos) {
        this.bytes = bytes;
        this.seed = seed;
        this.maxWrite = maxWrite;
        this.pauseNanos = pauseNanos;
    }

    /** Connects (bounded by 10 s) and starts the writer and the reader on {@code threads}. */
    EchoStream start(InetSocketAddress target, ExecutorService threads, int readTimeoutMillis) throws IOException {
        socket.connect(target, 10_000);
        socket.setSoTimeout(readTimeoutMillis);
        CompletableFuture<Object[]> written = CompletableFuture.supplyAsync(this::write, threads);
        CompletableFuture<Object[]> read = CompletableFuture.supplyAsync(this::read, threads);
        // A side that failed ends the other too: a writer blocked on a full socket would otherwise wait forever.
        written.thenAccept(w -> closeIfFailed(w));
        read.thenAccept(r -> closeIfFailed(r));
        written.thenCombine(read, (w, r) -> new Result(socket.getLocalPort(), (long) w[0], (String) w[1], (long) r[0],
                        (String) r[1], w[2] != null ? "write: " + w[2] : r[2] != null ? "read: " + r[2] : null))
                .whenComplete((r, e) -> {
                    closeQuietly();
                    if (e != null) {
                        result.completeExceptionally(e);
                    } else {
                        result.complete(r);
                    }
                });
        return this;
    }

    int localPort() {
        return socket.getLocalPort();
    }

    /** An unbounded stream sends what it is writing, then half-closes. */
    void finish() {
        finishing = true;
    }

    CompletableFuture<Result> result() {
        return result;
    }

    /** The end of both sides, or a timeout result that says so (and closes the socket). */
    Result await(long timeoutMillis) {
        try {
            return result.get(timeoutMillis, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            closeQuietly();
            return new Result(socket.getLocalPort(), -1, "", -1, "", "not done: " + e);
        }
    }

    private Object[] write() {
        SplittableRandom random = new SplittableRandom(seed);
        MessageDigest hash = sha256();
        byte[] chunk = new byte[maxWrite];
        long sent = 0;
        try {
            OutputStream out = socket.getOutputStream();
            while (bytes < 0 ? !finishing : sent < bytes) {
                int n = 1 + random.nextInt(maxWrite);
                if (bytes >= 0) {
                    n = (int) Math.min(n, bytes - sent);
                }
                random.nextBytes(chunk);
                out.write(chunk, 0, n);
                hash.update(chunk, 0, n);
                sent += n;
                if (pauseNanos > 0) {
                    LockSupport.parkNanos(pauseNanos);
                }
            }
            socket.shutdownOutput();
            return new Object[] {sent, HexFormat.of().formatHex(hash.digest()), null};
        } catch (IOException e) {
            return new Object[] {sent, HexFormat.of().formatHex(hash.digest()), e.toString()};
        }
    }

    private Object[] read() {
        MessageDigest hash = sha256();
        byte[] buffer = new byte[64 * 1024];
        long received = 0;
        try {
            InputStream in = socket.getInputStream();
            for (int n; (n = in.read(buffer)) >= 0; ) {
                hash.update(buffer, 0, n);
                received += n;
            }
            return new Object[] {received, HexFormat.of().formatHex(hash.digest()), null};
        } catch (IOException e) {
            return new Object[] {received, HexFormat.of().formatHex(hash.digest()), e.toString()};
        }
    }

    private void closeIfFailed(Object[] side) {
        if (side[2] != null) {
            closeQuietly();
        }
    }

    private void closeQuietly() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing after the end; nothing to do
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
