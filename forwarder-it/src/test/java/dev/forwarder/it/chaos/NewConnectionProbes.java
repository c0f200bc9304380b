package dev.forwarder.it.chaos;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import static org.awaitility.Awaitility.await;

/**
 * A few threads opening new connections through forwarder one after another: each sends a line, half-closes, and
 * must read the same line back and the end within {@code timeoutMillis}. Every probe's start time and outcome is
 * kept, so failures can be placed against the faults.
 */
final class NewConnectionProbes implements AutoCloseable {

    /** One probe: when it started ({@link System#nanoTime()}), and why it failed ({@code null}: it did not). */
    record Probe(long startNanos, String error) {
    }

    private final InetSocketAddress target;
    private final int timeoutMillis;
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final AtomicLong sequence = new AtomicLong();
    private final ConcurrentLinkedQueue<Probe> probes = new ConcurrentLinkedQueue<>();
    private final List<Thread> threads = new ArrayList<>();

    NewConnectionProbes(InetSocketAddress target, int threadCount, int timeoutMillis) {
        this.target = target;
        this.timeoutMillis = timeoutMillis;
        for (int i = 0; i < threadCount; i++) {
            Thread thread = new Thread(this::loop, "probe-" + i);
            thread.setDaemon(true);
            threads.add(thread);
            thread.start();
        }
    }

    private void loop() {
        while (running.get()) {
            long start = System.nanoTime();
            String line = "probe " + sequence.incrementAndGet() + "\n";
            String error = null;
            try (Socket socket = new Socket()) {
                socket.connect(target, timeoutMillis);
                socket.setSoTimeout(timeoutMillis);
                socket.getOutputStream().write(line.getBytes(StandardCharsets.US_ASCII));
                socket.shutdownOutput();
                String echo = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
                if (!echo.equals(line)) {
                    error = "echo \"" + echo.strip() + "\"";
                }
            } catch (IOException e) {
                error = e.toString();
            }
            probes.add(new Probe(start, error));
        }
    }

    /** Waits until {@code count} probes that started at or after {@code sinceNanos} have ended. */
    void awaitProbesSince(long sinceNanos, int count, java.time.Duration atMost) {
        await(count + " probes since the mark").atMost(atMost).pollInterval(java.time.Duration.ofMillis(10))
                .until(() -> probes.stream().filter(p -> p.startNanos() >= sinceNanos).count() >= count);
    }

    List<Probe> probes() {
        return List.copyOf(probes);
    }

    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread thread : threads) {
            thread.join(timeoutMillis * 2L + 1_000);
        }
    }
}
