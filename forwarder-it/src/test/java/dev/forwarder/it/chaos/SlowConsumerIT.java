package dev.forwarder.it.chaos;

import dev.forwarder.app.Forwarder;
import dev.forwarder.core.ConnectionSnapshot;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Slow consumers: a backend (socat in a container) sends a blob of random bytes as fast as it can to each of 8
 * clients that read 64 KiB/s (8 KiB every 125 ms, receive buffer 64 KiB), half through a listener that splices,
 * half through one that copies ({@code splice = off}: every byte through Netty's buffers, where back-pressure must
 * hold). While they read slowly, forwarder's direct memory (the allocator's count) and heap after GC must stay flat
 * and under a bound, and forwarder must have read from the backend only what the clients took plus what the
 * sockets buffer. Then each client reads the rest at full speed: the whole blob, SHA-256 equal to the backend's.
 * CI: a 64 MiB blob, 20 s slow; long ({@code -Dchaos.long=true}): 1 GiB, 10 min slow.
 */
class SlowConsumerIT {

    private static final long BLOB = Chaos.pick(64L, 1024L) * 1024 * 1024;
    private static final Duration SLOW = Duration.ofSeconds(Chaos.pick(20, 600));
    private static final int CLIENTS = 8;
    private static final int READ = 8 * 1024;
    private static final long READ_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(125);
    /** Asserted bounds, over the baseline before the clients connected. */
    private static final long DIRECT_BOUND = 16L << 20;
    private static final long HEAP_BOUND = 32L << 20;
    /** What may sit between backend and client per connection: socket buffers on both legs plus forwarder's queue. */
    private static final long IN_FLIGHT_BOUND = 8L << 20;

    private static int port;
    private static GenericContainer<?> blob;
    private static String blobSha256;

    @BeforeAll
    static void startBackend() throws Exception {
        port = Chaos.freePort();
        blob = Chaos.server(port, "SYSTEM:cat /tmp/blob", "head -c " + BLOB + " /dev/urandom > /tmp/blob"
                + " && sha256sum /tmp/blob | cut -c1-64 > /tmp/blob.sha256");
        blob.start();
        blobSha256 = blob.execInContainer("cat", "/tmp/blob.sha256").getStdout().strip();
        assertThat(blobSha256).hasSize(64);
    }

    @AfterAll
    static void stopBackend() {
        if (blob != null) {
            Chaos.stopQuietly(blob);
        }
    }

    @Test
    void slowReadersKeepForwardersMemoryFlatAndGetEveryByte() throws Exception {
        Figures figures = new Figures("slow-consumer");
        String hocon = """
                forwarder {
                  shutdown-timeout = 2s
                  listeners {
                    spliced { bind = "127.0.0.1:0", pool = blob }
                    copied { bind = "127.0.0.1:0", pool = blob, splice = off }
                  }
                  pools { blob { backends = [ "127.0.0.1:%d" ] } }
                }
                """.formatted(port);
        ExecutorService threads = Executors.newCachedThreadPool();
        try (Forwarder forwarder = Chaos.forwarder(hocon)) {
            long heapBase = MemorySampler.heapAfterGc();
            long directBase = MemorySampler.allocatorDirect();
            long nettyBase = MemorySampler.nettyDirect();
            List<Reader> readers = new ArrayList<>();
            for (int i = 0; i < CLIENTS; i++) {
                readers.add(new Reader(forwarder.listenerAddress(i % 2 == 0 ? "spliced" : "copied")));
            }
            long start = System.nanoTime();
            long slowEnd = start + SLOW.toNanos();
            List<CompletableFuture<String>> done = readers.stream()
                    .map(r -> CompletableFuture.supplyAsync(() -> r.run(slowEnd), threads)).toList();

            long directMaxFirstHalf = 0;
            long directMaxSecondHalf = 0;
            long nettyMax = 0;
            long heapMax = 0;
            long inFlightMax = 0;
            long nextGc = start;
            long readSlowly = 0;
            long forwarderRead = 0;
            // Stops sampling a little before the readers speed up, so that what they read slowly is what counts.
            while (System.nanoTime() < slowEnd - TimeUnit.MILLISECONDS.toNanos(300)) {
                long now = System.nanoTime();
                long direct = MemorySampler.allocatorDirect() - directBase;
                if (now - start < SLOW.toNanos() / 2) {
                    directMaxFirstHalf = Math.max(directMaxFirstHalf, direct);
                } else {
                    directMaxSecondHalf = Math.max(directMaxSecondHalf, direct);
                }
                nettyMax = Math.max(nettyMax, MemorySampler.nettyDirect() - nettyBase);
                inFlightMax = Math.max(inFlightMax, inFlight(forwarder, readers));
                readSlowly = readers.stream().mapToLong(r -> r.received.get()).sum();
                forwarderRead = downBytes(forwarder);
                if (now >= nextGc) {
                    heapMax = Math.max(heapMax, MemorySampler.heapAfterGc() - heapBase);
                    nextGc = now + TimeUnit.SECONDS.toNanos(5);
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }

            List<String> hashes = new ArrayList<>();
            for (CompletableFuture<String> each : done) {
                hashes.add(each.get(Chaos.pick(120L, 1_200L), TimeUnit.SECONDS));
            }
            long took = System.nanoTime() - start;
            figures.put("clients", CLIENTS).put("blob_bytes", BLOB).put("slow_s", SLOW.toSeconds())
                    .put("read_rate_kib_s", 64)
                    .put("read_slowly_mib", MemorySampler.mib(readSlowly))
                    .put("forwarder_read_from_backend_during_slow_mib", MemorySampler.mib(forwarderRead))
                    .put("in_flight_max_per_connection_mib", MemorySampler.mib(inFlightMax))
                    .put("direct_base_mib", MemorySampler.mib(directBase))
                    .put("direct_growth_max_first_half_mib", MemorySampler.mib(directMaxFirstHalf))
                    .put("direct_growth_max_second_half_mib", MemorySampler.mib(directMaxSecondHalf))
                    .put("netty_direct_growth_max_mib", MemorySampler.mib(nettyMax))
                    .put("heap_base_after_gc_mib", MemorySampler.mib(heapBase))
                    .put("heap_growth_after_gc_max_mib", MemorySampler.mib(heapMax))
                    .put("bound_direct_mib", MemorySampler.mib(DIRECT_BOUND))
                    .put("bound_heap_mib", MemorySampler.mib(HEAP_BOUND))
                    .put("whole_blobs", hashes.stream().filter(blobSha256::equals).count())
                    .put("took_ms", Figures.ms(took));
            figures.done();

            assertThat(hashes).as("every client got the whole blob").containsOnly(blobSha256);
            assertThat(Math.max(directMaxFirstHalf, directMaxSecondHalf)).isLessThan(DIRECT_BOUND);
            assertThat(directMaxSecondHalf).as("flat: no growth from the first half to the second")
                    .isLessThanOrEqualTo(directMaxFirstHalf + (4L << 20));
            assertThat(heapMax).isLessThan(HEAP_BOUND);
            assertThat(inFlightMax).isLessThan(IN_FLIGHT_BOUND);
            assertThat(forwarderRead).as("forwarder read what the clients took plus the buffers, not the backend's all")
                    .isLessThan(Math.min(readSlowly + CLIENTS * IN_FLIGHT_BOUND, CLIENTS * BLOB / 2));
        } finally {
            threads.shutdownNow();
        }
    }

    /** Bytes forwarder read from the backend for each open connection, minus what its client read, the largest. */
    private static long inFlight(Forwarder forwarder, List<Reader> readers) {
        Map<String, Long> down = connections(forwarder).stream()
                .collect(Collectors.toMap(ConnectionSnapshot::client, ConnectionSnapshot::bytesDown, (a, b) -> a));
        long max = 0;
        for (Reader reader : readers) {
            Long forwarded = down.get("127.0.0.1:" + reader.socket.getLocalPort());
            if (forwarded != null) {
                max = Math.max(max, forwarded - reader.received.get());
            }
        }
        return max;
    }

    private static long downBytes(Forwarder forwarder) {
        return connections(forwarder).stream().mapToLong(ConnectionSnapshot::bytesDown).sum();
    }

    private static List<ConnectionSnapshot> connections(Forwarder forwarder) {
        List<ConnectionSnapshot> all = new ArrayList<>(forwarder.listener("spliced").connections());
        all.addAll(forwarder.listener("copied").connections());
        return all;
    }

    /** One slow client: 8 KiB every 125 ms until the slow phase ends, then the rest at once; returns its SHA-256. */
    private static final class Reader {
        final Socket socket = new Socket();
        final AtomicLong received = new AtomicLong();

        Reader(InetSocketAddress target) throws IOException {
            socket.setReceiveBufferSize(64 * 1024);
            socket.connect(target, 10_000);
            socket.setSoTimeout(60_000);
        }

        String run(long slowEnd) {
            MessageDigest hash = EchoStream.sha256();
            byte[] buffer = new byte[64 * 1024];
            try (socket) {
                InputStream in = socket.getInputStream();
                long next = System.nanoTime();
                while (System.nanoTime() < slowEnd) {
                    int n = in.read(buffer, 0, READ);
                    if (n < 0) {
                        return "ended early after " + received.get();
                    }
                    hash.update(buffer, 0, n);
                    received.addAndGet(n);
                    next += READ_EVERY_NANOS * n / READ;
                    LockSupport.parkNanos(next - System.nanoTime());
                }
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    hash.update(buffer, 0, n);
                    received.addAndGet(n);
                }
                return HexFormat.of().formatHex(hash.digest());
            } catch (IOException e) {
                return e + " after " + received.get();
            }
        }
    }
}
