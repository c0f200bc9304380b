package dev.forwarder.core.relay;

import dev.forwarder.core.ConnectionInfo;
import dev.forwarder.core.ConnectionSnapshot;
import dev.forwarder.core.TrafficObserver;
import dev.forwarder.core.Transport;
import dev.forwarder.core.testing.BlockingServer;
import dev.forwarder.core.testing.FixedChooser;
import dev.forwarder.core.testing.RecordingObserver;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Traffic observers on a live connection: while one is attached, it sees every byte of each direction in order;
 * a direction that was splicing goes back to copying for it and may splice again once it leaves; nothing is lost
 * or reordered meanwhile.
 */
class RelayTrafficObserverTest {

    private static final long SIZE = 256L << 20;
    private static final int BLOCK = 64 * 1024;

    /** The byte at {@code position} of the test stream: cheap to check at any offset. */
    private static byte at(long position) {
        return (byte) (position * 31 + (position >>> 11));
    }

    /** One attachment: what it saw of the upstream direction. */
    private static final class Window implements TrafficObserver {
        volatile long first = -1;
        volatile long end = -1;
        final AtomicLong seen = new AtomicLong();
        final AtomicLong wrongBytes = new AtomicLong();
        final AtomicLong gaps = new AtomicLong();
        volatile boolean detached;

        @Override
        public void bytes(ConnectionInfo connection, boolean upstream, long offset, ByteBuf data, long nanos) {
            if (!upstream) {
                return;
            }
            if (first < 0) {
                first = offset;
            } else if (offset != end) {
                gaps.incrementAndGet();
            }
            // One copy, not a getByte per byte: under the paranoid leak detector each access records a stack trace,
            // which kept an event loop busy for seconds per read batch (io_uring reads bigger batches).
            byte[] bytes = ByteBufUtil.getBytes(data);
            for (int i = 0; i < bytes.length; i++) {
                if (bytes[i] != at(offset + i)) {
                    wrongBytes.incrementAndGet();
                }
            }
            end = offset + data.readableBytes();
            seen.addAndGet(data.readableBytes());
        }

        @Override
        public void detached(ConnectionInfo connection) {
            detached = true;
        }
    }

    private static BlockingServer hashingSink() {
        return BlockingServer.start(socket -> {
            MessageDigest digest = sha256();
            byte[] buffer = new byte[BLOCK];
            InputStream in = socket.getInputStream();
            for (int n; (n = in.read(buffer)) >= 0; ) {
                digest.update(buffer, 0, n);
            }
            socket.getOutputStream().write(HexFormat.of().formatHex(digest.digest()).getBytes(StandardCharsets.US_ASCII));
        });
    }

    private static String send(OutputStream out) throws IOException {
        return send(out, new long[0], new CountDownLatch[0]);
    }

    /** Sends the stream, waiting at {@code stops[i]} (a multiple of {@link #BLOCK}) until {@code go[i]} opens. */
    private static String send(OutputStream out, long[] stops, CountDownLatch[] go) throws IOException {
        MessageDigest digest = sha256();
        byte[] block = new byte[BLOCK];
        int next = 0;
        for (long position = 0; position < SIZE; position += BLOCK) {
            if (next < stops.length && position == stops[next]) {
                try {
                    if (!go[next++].await(120, TimeUnit.SECONDS)) {
                        throw new IOException("the stream was never let go on at " + position);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException(e);
                }
            }
            for (int i = 0; i < BLOCK; i++) {
                block[i] = at(position + i);
            }
            digest.update(block);
            out.write(block);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "IO_URING", "NIO"})
    void observersComingAndGoingSeeEveryByteInOrderAndTheStreamStaysWhole(Transport transport) throws Exception {
        RecordingObserver observer = new RecordingObserver();
        List<Window> windows = new CopyOnWriteArrayList<>();
        // The sender stops where each observer comes (so the relay cannot race past it between two polls) and
        // before its last 32 MiB until the last observer has left (so that there is something to splice again).
        long[] stops = {round(SIZE / 5), round(2 * SIZE / 5), round(3 * SIZE / 5), SIZE - (32L << 20)};
        CountDownLatch[] go = {new CountDownLatch(1), new CountDownLatch(1), new CountDownLatch(1),
                new CountDownLatch(1)};
        try (BlockingServer backend = hashingSink();
             RelayFixture relay = new RelayFixture(transport, RelayFixture.settings(),
                     new FixedChooser(backend.address()), observer, 1);
             Socket client = relay.connect()) {
            CompletableFuture<String> sent = CompletableFuture.supplyAsync(() -> {
                try {
                    String digest = send(client.getOutputStream(), stops, go);
                    client.shutdownOutput();
                    return digest;
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            long splicedBeforeFirst = -1;
            for (int round = 1; round <= 3; round++) {
                long mark = stops[round - 1];
                await().atMost(Duration.ofSeconds(60)).until(() -> observer.relayedUp.get() >= mark);
                if (round == 1) {
                    splicedBeforeFirst = spliced(relay);
                }
                Window window = new Window();
                windows.add(window);
                AutoCloseable handle = relay.listener.observeTraffic(c -> true, window);
                go[round - 1].countDown();
                await().atMost(Duration.ofSeconds(60)).until(() -> window.seen.get() >= (2 << 20));
                handle.close();
                assertThat(window.detached).isTrue();
            }
            long splicedAfterLast = spliced(relay);
            go[3].countDown();
            String digest = sent.get(120, TimeUnit.SECONDS);
            String backendDigest = new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);

            assertThat(backendDigest).isEqualTo(digest);
            await().atMost(Duration.ofSeconds(5)).until(() -> observer.closed.size() == 1);
            assertThat(observer.closed.get(0).bytesUp()).isEqualTo(SIZE);
            assertThat(windows).hasSize(3).allSatisfy(w -> {
                assertThat(w.seen.get()).isGreaterThanOrEqualTo(2 << 20);
                assertThat(w.gaps).hasValue(0);
                assertThat(w.wrongBytes).hasValue(0);
                assertThat(w.end - w.first).isEqualTo(w.seen.get());
            });
            if (transport == Transport.EPOLL) {
                // It was splicing when the first observer came, and spliced again after the last one left.
                assertThat(splicedBeforeFirst).isPositive();
                assertThat(observer.closed.get(0).bytesSpliced()).isGreaterThan(splicedAfterLast);
            }
        }
    }

    /** {@code position} rounded down to a whole block. */
    private static long round(long position) {
        return position / BLOCK * BLOCK;
    }

    private static long spliced(RelayFixture relay) {
        List<ConnectionSnapshot> open = relay.listener.connections();
        return open.isEmpty() ? 0 : open.get(0).bytesSpliced();
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
