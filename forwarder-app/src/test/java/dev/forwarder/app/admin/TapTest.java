package dev.forwarder.app.admin;

import dev.forwarder.app.capture.TestServers.Echo;
import com.fasterxml.jackson.databind.JsonNode;
import dev.forwarder.app.capture.TapSettings;
import dev.forwarder.app.capture.Taps;
import dev.forwarder.core.ConnectionSnapshot;
import dev.forwarder.core.Transport;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code GET /api/tap} against a real forwarder on 127.0.0.1: what a tap sees, and that it never slows the relay. */
class TapTest {

    private static final Logger log = LoggerFactory.getLogger(TapTest.class);
    private static final long MIB = 1 << 20;
    private static final long TOTAL = 256 * MIB;
    private static final Pattern HEADER =
            Pattern.compile(".* conn=(\\S+) (up|down) .* size=([0-9]+) offset=([0-9]+).*");

    /** One connection through the listener: the pattern up (pausing where told), echoed back. */
    private static final class Transfer {
        final CompletableFuture<byte[]> sent;
        final CompletableFuture<byte[]> received;
        volatile long receivedBytes;
        final long nanos0 = System.nanoTime();
        volatile long doneNanos;

        private final long[] pauses;
        private final CountDownLatch[] gos;
        private final CountDownLatch beforeEnd;

        /** Pauses at each of {@code pauses} until its latch opens, and before its FIN until {@code beforeEnd} does. */
        Transfer(Socket socket, long total, long[] pauses, CountDownLatch[] gos, CountDownLatch beforeEnd,
                boolean pattern) {
            this.pauses = pauses;
            this.gos = gos;
            this.beforeEnd = beforeEnd;
            sent = CompletableFuture.supplyAsync(() -> send(socket, total, pattern), TapTest::thread);
            received = CompletableFuture.supplyAsync(() -> receive(socket, pattern), TapTest::thread);
        }

        private long nextPause(long offset) {
            for (long pause : pauses) {
                if (pause >= offset) {
                    return pause;
                }
            }
            return Long.MAX_VALUE;
        }

        private static void await(CountDownLatch latch) throws InterruptedException {
            if (!latch.await(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("never told to go on");
            }
        }

        private byte[] send(Socket socket, long total, boolean pattern) {
            MessageDigest digest = TapHarness.sha256();
            byte[] buffer = new byte[64 * 1024];
            if (!pattern) {
                TapHarness.fill(buffer, 0, buffer.length);
            }
            try {
                OutputStream out = socket.getOutputStream();
                for (long offset = 0; offset < total; ) {
                    for (int i = 0; i < pauses.length; i++) {
                        if (offset == pauses[i]) {
                            await(gos[i]);
                        }
                    }
                    int n = (int) Math.min(buffer.length, total - offset);
                    long pause = nextPause(offset + 1);
                    if (pause != Long.MAX_VALUE) {
                        n = (int) Math.min(n, pause - offset);
                    }
                    if (pattern) {
                        TapHarness.fill(buffer, offset, n);
                        digest.update(buffer, 0, n);
                    }
                    out.write(buffer, 0, n);
                    offset += n;
                }
                await(beforeEnd);
                socket.shutdownOutput();
            } catch (IOException e) {
                throw new IllegalStateException(e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
            return digest.digest();
        }

        private byte[] receive(Socket socket, boolean pattern) {
            MessageDigest digest = TapHarness.sha256();
            byte[] buffer = new byte[256 * 1024];
            long count = 0;
            try {
                InputStream in = socket.getInputStream();
                for (int n; (n = in.read(buffer)) >= 0; ) {
                    if (pattern) {
                        digest.update(buffer, 0, n);
                    }
                    count += n;
                    receivedBytes = count;
                }
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            doneNanos = System.nanoTime();
            return digest.digest();
        }

        long millis() {
            return TimeUnit.NANOSECONDS.toMillis(doneNanos - nanos0);
        }
    }

    private static void thread(Runnable task) {
        Thread thread = new Thread(task, "test-transfer");
        thread.setDaemon(true);
        thread.start();
    }

    private static Socket connect(TapHarness harness) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), harness.listenerPort());
        socket.setSoTimeout(60_000);
        return socket;
    }

    /** What a text tap showed: the bytes of its hex dumps checked against the pattern at their stream offsets. */
    private static final class Dump {
        long verified;
        long mismatches;
        long maxUpOffset = -1;
        String last = "";
        final List<String> lines = new ArrayList<>();

        static Dump read(InputStream body, String conn) throws IOException {
            Dump dump = new Dump();
            boolean inChunk = false;
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
                for (String line; (line = reader.readLine()) != null; ) {
                    dump.last = line;
                    if (line.length() >= 62 && line.charAt(8) == ' ' && line.charAt(9) == ' '
                            && line.charAt(60) == '|') {
                        if (inChunk) {
                            dump.check(line);
                        }
                        continue;
                    }
                    Matcher header = HEADER.matcher(line);
                    if (header.matches()) {
                        inChunk = header.group(1).equals(conn);
                        if (inChunk && header.group(2).equals("up")) {
                            dump.maxUpOffset = Math.max(dump.maxUpOffset, Long.parseLong(header.group(4)));
                        }
                        continue;
                    }
                    if (!line.matches("[0-9a-f]{8}|\\*")) {
                        dump.lines.add(line);
                    }
                }
            }
            return dump;
        }

        /** A {@code hexdump -C} line: 8 hex digits of offset, two spaces, 16 bytes in two groups of 8, then |ascii|. */
        private void check(String line) {
            long offset = Long.parseLong(line.substring(0, 8), 16);
            for (int i = 0; i < 16; i++) {
                int at = 10 + i * 3 + (i >= 8 ? 1 : 0);
                if (line.charAt(at) == ' ') {
                    break;
                }
                byte b = (byte) Integer.parseInt(line.substring(at, at + 2), 16);
                if (b == TapHarness.at(offset + i)) {
                    verified++;
                } else {
                    mismatches++;
                }
            }
        }
    }

    @Test
    void aTapSeesAConnectionAlreadySplicingWhichStaysIntactAndOneOpenedAfterIt() throws Exception {
        try (Echo echo = new Echo(); TapHarness harness = new TapHarness(echo.port(), "")) {
            assertThat(harness.forwarder.relay().transport()).as("splice needs epoll").isEqualTo(Transport.EPOLL);
            long pauseAt = 32 * MIB;
            long afterTap = 128 * MIB;
            CountDownLatch go = new CountDownLatch(1);
            CountDownLatch goAfterTap = new CountDownLatch(1);
            CountDownLatch end = new CountDownLatch(1);
            try (Socket socket = connect(harness)) {
                Transfer transfer = new Transfer(socket, TOTAL, new long[] {pauseAt, afterTap},
                        new CountDownLatch[] {go, goAfterTap}, end, true);
                await().atMost(Duration.ofSeconds(30)).until(() -> transfer.receivedBytes == pauseAt);
                ConnectionSnapshot before = harness.forwarder.listener("web").connections().get(0);
                assertThat(before.bytesSpliced()).as("streaming spliced before the tap").isPositive();

                HttpResponse<InputStream> tap = harness.stream("/api/tap?conn=" + before.id()
                        + "&format=text&max-bytes=" + MIB);
                assertThat(tap.statusCode()).isEqualTo(200);
                assertThat(tap.headers().firstValue("content-type")).hasValue("text/plain; charset=utf-8");
                await().atMost(Duration.ofSeconds(10)).until(() -> harness.taps().size() == 1);
                go.countDown();
                Dump dump = Dump.read(tap.body(), before.id());
                await().atMost(Duration.ofSeconds(10)).until(() -> harness.taps().isEmpty());

                // The tap has left: the connection splices again.
                await().atMost(Duration.ofSeconds(30)).until(() -> transfer.receivedBytes == afterTap);
                long splicedWhenTheTapHadLeft = harness.forwarder.listener("web").connections().get(0).bytesSpliced();
                goAfterTap.countDown();
                await().atMost(Duration.ofSeconds(60)).until(() -> transfer.receivedBytes == TOTAL);
                long splicedAtTheEnd = harness.forwarder.listener("web").connections().get(0).bytesSpliced();
                assertThat(splicedAtTheEnd - splicedWhenTheTapHadLeft).as("spliced after the tap left")
                        .isGreaterThanOrEqualTo(TOTAL - afterTap);
                end.countDown();

                assertThat(transfer.sent.get(60, TimeUnit.SECONDS))
                        .isEqualTo(transfer.received.get(60, TimeUnit.SECONDS));
                assertThat(transfer.receivedBytes).isEqualTo(TOTAL);
                assertThat(dump.mismatches).isZero();
                assertThat(dump.verified).as("bytes shown, checked against the stream").isGreaterThanOrEqualTo(MIB / 2);
                assertThat(dump.maxUpOffset).as("bytes sent after the tap attached").isGreaterThanOrEqualTo(pauseAt);
                assertThat(dump.lines).anyMatch(line -> line.contains("conn=" + before.id() + " tap on listener=web"));
                assertThat(dump.last).contains("tap ended").contains("reason=max-bytes");
            }

            HttpResponse<InputStream> tap = harness.stream("/api/tap?listener=web&format=text&seconds=60");
            await().atMost(Duration.ofSeconds(10)).until(() -> harness.taps().size() == 1);
            try (Socket later = connect(harness)) {
                later.getOutputStream().write("hello tap\n".getBytes(StandardCharsets.US_ASCII));
                assertThat(later.getInputStream().readNBytes(10))
                        .isEqualTo("hello tap\n".getBytes(StandardCharsets.US_ASCII));
                BufferedReader reader = new BufferedReader(new InputStreamReader(tap.body(), StandardCharsets.UTF_8));
                List<String> seen = new ArrayList<>();
                for (String line; (line = reader.readLine()) != null; ) {
                    seen.add(line);
                    if (line.contains("|hello tap.|")) {
                        break;
                    }
                }
                assertThat(seen).anyMatch(line -> line.matches(".* conn=\\S+ up 127\\.0\\.0\\.1:" + later.getLocalPort()
                        + " -> .* size=10 offset=0"));
                assertThat(seen).anyMatch(line -> line.equals(
                        "00000000  68 65 6c 6c 6f 20 74 61  70 0a                    |hello tap.|"));
                tap.body().close();
            }
            // The reader left: the tap ends and its observers detach.
            await().atMost(Duration.ofSeconds(10)).until(() -> harness.taps().isEmpty());
        }
    }

    @Test
    void aTapThatNeverReadsDoesNotSlowA256MiBTransfer() throws Exception {
        try (Echo echo = new Echo(); TapHarness harness = new TapHarness(echo.port(), "")) {
            for (int i = 0; i < 3; i++) {
                transfer(harness); // warm-up: the first rounds ran 30 % slower either way
            }
            // The machine moves single transfers by tens of percent, the tap's true cost is a few: a set of rounds
            // above the bound is measured once more, and the test fails only if the second set says so too (a tap
            // that slowed the relay by a real 10 % would fail both).
            StringBuilder reports = new StringBuilder();
            for (int attempt = 1; attempt <= 2; attempt++) {
                double ratio = stuckTapRounds(harness, reports, attempt);
                if (ratio <= 1.10 || attempt == 2) {
                    log.info("stuck tap timing\n{}", reports);
                    assertThat(ratio).as(reports.toString()).isLessThanOrEqualTo(1.10);
                    return;
                }
            }
        }
    }

    /** One set of alternating rounds; returns the median of the ratios within each round and reports the times. */
    private static double stuckTapRounds(TapHarness harness, StringBuilder reports, int attempt) throws Exception {
        List<Long> without = new ArrayList<>();
        List<Long> with = new ArrayList<>();
        List<Long> dropped = new ArrayList<>();
        int rounds = 11;
        for (int round = 0; round < rounds; round++) {
            for (boolean tapped : round % 2 == 0 ? new boolean[] {false, true} : new boolean[] {true, false}) {
                if (!tapped) {
                    without.add(transfer(harness));
                    continue;
                }
                try (Socket stuck = new Socket()) {
                    stuck.setReceiveBufferSize(4096);
                    stuck.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), harness.adminPort()));
                    stuck.getOutputStream().write(("GET /api/tap?listener=web&format=text&seconds=600 HTTP/1.1\r\n"
                            + "Host: 127.0.0.1\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                    await().atMost(Duration.ofSeconds(10)).until(() -> harness.taps().size() == 1);
                    with.add(transfer(harness));
                    // Read once the relay has closed the connection: what passed it while the tap stood off is
                    // counted then too (it once went uncounted when the close came first).
                    await().atMost(Duration.ofSeconds(10)).until(() ->
                            TapHarness.json(harness.get("/api/connections")).get("count").asInt() == 0);
                    JsonNode tap = harness.taps().get(0);
                    dropped.add(tap.get("dropped_bytes").asLong());
                    assertThat(tap.get("dropped_bytes").asLong()).as("a reader that never reads: the tap drops"
                            + " (it stood off the connection, which spliced)").isGreaterThan(TOTAL);
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> harness.taps().isEmpty());
            }
        }
        long medianWithout = median(without);
        long medianWith = median(with);
        // Each round measures both within a few seconds: the ratio within a round does not drift with the load
        // other processes put on the machine, which moves single transfers by tens of percent.
        List<Double> ratios = new ArrayList<>();
        for (int i = 0; i < rounds; i++) {
            ratios.add((double) with.get(i) / without.get(i));
        }
        double medianRatio = ratios.stream().sorted().toList().get(rounds / 2);
        boolean epoll = harness.forwarder.relay().transport() == Transport.EPOLL;
        String report = "set " + attempt + ": 256 MiB echoed through forwarder (epoll=" + epoll
                + "), ms per transfer, alternating rounds\n"
                + "without tap:          " + without + " median " + medianWithout + "\n"
                + "with stuck text tap:  " + with + " median " + medianWith + "\n"
                + "tap dropped bytes:    " + dropped + "\n"
                + "ratio of medians:     " + String.format("%.3f", (double) medianWith / medianWithout) + "\n"
                + "median of the ratios within each round: " + String.format("%.3f", medianRatio) + " of "
                + ratios.stream().map(r -> String.format("%.2f", r)).toList() + "\n";
        reports.append(report);
        Path file = Path.of("target", "tap-stuck-reader-times.txt");
        Files.createDirectories(file.getParent());
        Files.writeString(file, reports);
        return medianRatio;
    }

    private static long transfer(TapHarness harness) throws Exception {
        try (Socket socket = connect(harness)) {
            Transfer transfer = new Transfer(socket, TOTAL, new long[0], new CountDownLatch[0], new CountDownLatch(0),
                    false);
            transfer.sent.get(120, TimeUnit.SECONDS);
            transfer.received.get(120, TimeUnit.SECONDS);
            assertThat(transfer.receivedBytes).isEqualTo(TOTAL);
            return transfer.millis();
        }
    }

    private static long median(List<Long> values) {
        long[] sorted = values.stream().mapToLong(Long::longValue).sorted().toArray();
        return sorted[sorted.length / 2];
    }

    @Test
    void tapBoundsAreCheckedAndAtMostEightRunAtOnce() throws Exception {
        try (Echo echo = new Echo(); TapHarness harness = new TapHarness(echo.port(), "")) {
            assertThat(harness.get("/api/tap?max-bytes=" + (TapSettings.MAX_BYTES + 1)).statusCode()).isEqualTo(400);
            assertThat(harness.get("/api/tap?max-bytes=0").statusCode()).isEqualTo(400);
            assertThat(harness.get("/api/tap?seconds=3601").statusCode()).isEqualTo(400);
            assertThat(harness.get("/api/tap?format=json").statusCode()).isEqualTo(400);
            assertThat(harness.get("/api/tap?listner=web").statusCode()).isEqualTo(400);
            HttpResponse<String> unknown = harness.get("/api/tap?listener=nope");
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(TapHarness.json(unknown).get("error").asText()).isEqualTo("no listener nope");

            List<Socket> open = new ArrayList<>();
            try {
                for (int i = 0; i < Taps.MAX; i++) {
                    Socket socket = new Socket(InetAddress.getLoopbackAddress(), harness.adminPort());
                    open.add(socket);
                    socket.getOutputStream().write("GET /api/tap HTTP/1.1\r\nHost: x\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                    int expected = i + 1;
                    await().atMost(Duration.ofSeconds(10)).until(() -> harness.taps().size() == expected);
                }
                HttpResponse<String> ninth = harness.get("/api/tap");
                assertThat(ninth.statusCode()).isEqualTo(503);
                assertThat(TapHarness.json(harness.get("/api/taps")).get("max").asInt()).isEqualTo(Taps.MAX);
            } finally {
                for (Socket socket : open) {
                    socket.close();
                }
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> harness.taps().isEmpty());
            assertThat(TapHarness.json(harness.get("/api/taps")).get("started_total").asInt()).isEqualTo(Taps.MAX);
        }
    }
}
