package dev.forwarder.it.balancer;

import dev.forwarder.it.support.Backends;
import dev.forwarder.it.support.Http;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A client loops GETs through forwarder while one of three nginx is stopped ({@code docker stop}) and started again.
 * A stopped backend refuses connects; with {@code connect-tries = 3} each failed connect is retried on another
 * backend before the client sees anything, so not one client request may fail.
 *
 * <p>forwarder runs in a container on the backends' network ({@link ForwarderContainer}): from the host, a stopping
 * container's docker-proxy accepts connections and resets them for some milliseconds (about 90 of 4,000 connects
 * in a loop measured here), which no TCP forwarder can retry once the client's bytes went out. On the network,
 * forwarder meets the stopped nginx itself, as it would in production.
 */
class StoppedBackendIT {

    private static final Logger log = LoggerFactory.getLogger(StoppedBackendIT.class);
    /** Bounds of the client loop. */
    private static final int MAX_REQUESTS = 20_000;
    private static final Duration MAX_LOOP = Duration.ofSeconds(30);
    // resolve-interval 0: names are resolved once; docker start gives a container back its address on the network.
    private static final String POOL = "web";
    private static final String POOL_HOCON = """
            strategy = round-robin
            backends = [ "stop-nginx-1:80", "stop-nginx-2:80", "stop-nginx-3:80" ]
            connect-timeout = 1s, connect-tries = 3, connect-deadline = 5s
            max-fails = 1, fail-timeout = 2s
            """;

    private static final Network NETWORK = Network.newNetwork();
    private static final GenericContainer<?> NGINX_1 = nginx("stop-nginx-1");
    private static final GenericContainer<?> NGINX_2 = nginx("stop-nginx-2");
    private static final GenericContainer<?> NGINX_3 = nginx("stop-nginx-3");
    private static GenericContainer<?> forwarder;

    @BeforeAll
    static void start() {
        // forwarder resolves the names at start: the backends first.
        Stream.of(NGINX_1, NGINX_2, NGINX_3).parallel().forEach(GenericContainer::start);
        forwarder = ForwarderContainer.create(NETWORK, POOL, POOL_HOCON);
        forwarder.start();
    }

    @AfterAll
    static void stop() {
        Stream.of(forwarder, NGINX_1, NGINX_2, NGINX_3).filter(Objects::nonNull).forEach(GenericContainer::stop);
        NETWORK.close();
    }

    private static GenericContainer<?> nginx(String name) {
        return Backends.nginx(name).withNetwork(NETWORK).withNetworkAliases(name);
    }

    @Test
    void stoppedBackendUnderClientLoopFailsNoClientConnection() throws Exception {
        try (ClientLoop loop = new ClientLoop(ForwarderContainer.listenerAddress(forwarder))) {
            loop.awaitRequests(100);
            assertThat(loop.answersByBackend()).containsOnlyKeys("stop-nginx-1", "stop-nginx-2", "stop-nginx-3");

            long stopping = System.nanoTime();
            Faults.stop(NGINX_3, 10);
            log.info("stopped backend stop_call_ms={} requests_so_far={}",
                    (System.nanoTime() - stopping) / 1_000_000, loop.requests());
            // Its connects failed (and were retried): passive health took it out.
            await("forwarder taking stop-nginx-3 out after connect failures").atMost(Duration.ofSeconds(10))
                    .until(() -> forwarder.getLogs().contains("reason=connect-failures"));
            Map<String, Integer> beforeRestart = loop.answersByBackend();
            loop.awaitRequests(loop.requests() + 200);
            assertThat(minus(loop.answersByBackend(), beforeRestart)).containsOnlyKeys("stop-nginx-1",
                    "stop-nginx-2");

            Faults.start(NGINX_3);
            long restarted = System.nanoTime();
            // Back once its cool-down (fail-timeout = 2s) is over and a connect to it succeeds.
            await("stop-nginx-3 answering again").atMost(Duration.ofSeconds(15))
                    .until(() -> loop.answersByBackend().getOrDefault("stop-nginx-3", 0)
                            > beforeRestart.getOrDefault("stop-nginx-3", 0));
            log.info("restarted backend answering again after_ms={}", (System.nanoTime() - restarted) / 1_000_000);
            loop.awaitRequests(loop.requests() + 100);
            loop.stop();
            log.info("client loop requests={} failed={} slowest_ms={} answers={}", loop.requests(),
                    loop.failures().size(), loop.slowestMillis(), loop.answersByBackend());
            assertThat(loop.failures()).as("failed client requests").isEmpty();
        }
    }

    private static Map<String, Integer> minus(Map<String, Integer> later, Map<String, Integer> earlier) {
        Map<String, Integer> difference = new TreeMap<>();
        later.forEach((backend, count) -> {
            int delta = count - earlier.getOrDefault(backend, 0);
            if (delta > 0) {
                difference.put(backend, delta);
            }
        });
        return difference;
    }

    /** GETs one after another on a thread of its own, each on a new connection, until stopped or at its bounds. */
    private static final class ClientLoop implements AutoCloseable {

        private final InetSocketAddress target;
        private final Map<String, AtomicInteger> answers = new ConcurrentHashMap<>();
        private final List<String> failures = new CopyOnWriteArrayList<>();
        private final AtomicInteger requests = new AtomicInteger();
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicLong slowestNanos = new AtomicLong();
        private final Thread thread;

        ClientLoop(InetSocketAddress target) {
            this.target = target;
            this.thread = new Thread(this::run, "client-loop");
            thread.start();
        }

        private void run() {
            long deadline = System.nanoTime() + MAX_LOOP.toNanos();
            while (running.get() && requests.get() < MAX_REQUESTS && System.nanoTime() < deadline) {
                int n = requests.get();
                long sent = System.nanoTime();
                try {
                    answers.computeIfAbsent(Http.backendOf(target), k -> new AtomicInteger()).incrementAndGet();
                } catch (Exception e) {
                    failures.add("request " + n + ": " + e);
                }
                slowestNanos.accumulateAndGet(System.nanoTime() - sent, Math::max);
                requests.incrementAndGet();
            }
            running.set(false);
        }

        void awaitRequests(int count) {
            await("client loop at " + count + " requests").atMost(MAX_LOOP)
                    .until(() -> requests.get() >= count || !running.get());
            assertThat(requests.get()).as("client loop ended early (bounds: %d requests, %s)", MAX_REQUESTS,
                    MAX_LOOP).isGreaterThanOrEqualTo(count);
        }

        long slowestMillis() {
            return slowestNanos.get() / 1_000_000;
        }

        int requests() {
            return requests.get();
        }

        Map<String, Integer> answersByBackend() {
            Map<String, Integer> copy = new TreeMap<>();
            answers.forEach((backend, count) -> copy.put(backend, count.get()));
            return copy;
        }

        List<String> failures() {
            return failures;
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join(Duration.ofSeconds(10).toMillis());
        }

        @Override
        public void close() throws InterruptedException {
            stop();
        }
    }
}
