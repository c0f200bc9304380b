package dev.forwarder.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Sends pseudo-random bytes to an echo server and reads the echo back at the same time, hashing both sides.
 * The writer runs on its own thread: a sender that read nothing until it had written everything would stall as
 * soon as the buffers along the path are full. After the last byte the writer shuts its output down, so the echo
 * ends with the server's own close and the reader proves that half-close travels through the path.
 */
final class EchoTransfer {

    private static final int CHUNK = 64 * 1024;

    private EchoTransfer() {
    }

    /** What went out and what came back. */
    record Result(long sent, String sentSha256, long received, String receivedSha256) {
    }

    static Result roundTrip(InetSocketAddress target, long bytes, long seed, Duration timeout)
            throws IOException, InterruptedException, TimeoutException {
        ExecutorService writerThread = Executors.newSingleThreadExecutor(r -> new Thread(r, "echo-writer"));
        try (Socket socket = new Socket()) {
            socket.connect(target, 10_000);
            // Bounds each read; the whole transfer is bounded by the deadline checks below.
            socket.setSoTimeout((int) Math.min(timeout.toMillis(), 30_000));
            long deadline = System.nanoTime() + timeout.toNanos();
            Future<String> written = writerThread.submit(() -> write(socket, bytes, seed));

            MessageDigest received = sha256();
            long count = 0;
            byte[] buffer = new byte[CHUNK];
            InputStream in = socket.getInputStream();
            for (int n; (n = in.read(buffer)) >= 0; ) {
                received.update(buffer, 0, n);
                count += n;
                if (System.nanoTime() - deadline > 0) {
                    throw new TimeoutException("echo not finished within " + timeout + " (" + count + " bytes back)");
                }
            }
            String sentHash = written.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            return new Result(bytes, sentHash, count, HexFormat.of().formatHex(received.digest()));
        } catch (ExecutionException e) {
            throw new IOException("writer failed", e.getCause());
        } finally {
            writerThread.shutdownNow();
            if (!writerThread.awaitTermination(10, TimeUnit.SECONDS)) {
                throw new IllegalStateException("echo writer did not stop");
            }
        }
    }

    private static String write(Socket socket, long bytes, long seed) throws IOException {
        SplittableRandom random = new SplittableRandom(seed);
        MessageDigest sent = sha256();
        byte[] chunk = new byte[CHUNK];
        OutputStream out = socket.getOutputStream();
        for (long left = bytes; left > 0; ) {
            int n = (int) Math.min(chunk.length, left);
            random.nextBytes(chunk);
            sent.update(chunk, 0, n);
            out.write(chunk, 0, n);
            left -= n;
        }
        out.flush();
        socket.shutdownOutput();
        return HexFormat.of().formatHex(sent.digest());
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
