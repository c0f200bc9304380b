package dev.forwarder.app.metrics;

import dev.forwarder.app.Forwarder;
import dev.forwarder.app.config.ConfigLoader;
import dev.forwarder.app.config.ForwarderConfig;
import dev.forwarder.core.CloseReason;
import dev.forwarder.core.testing.BlockingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Known traffic through a real forwarder on 127.0.0.1, then its {@code /metrics} text: exact series per listener
 * and backend, and Prometheus' own checker ({@code promtool check metrics}, Debian's {@code prometheus} package,
 * installed by {@code scripts/test-tools.sh}) passes it.
 */
class PrometheusMetricsTest {

    private static final int[] SIZES = {1000, 2000, 3000, 4000, 5000, 6000};
    private static final int REFUSED_CONNECTIONS = 3;

    private BlockingServer a;
    private BlockingServer b;
    private BlockingServer c;
    private InetSocketAddress refusing;

    @BeforeEach
    void startBackends() throws IOException {
        a = BlockingServer.echo();
        b = BlockingServer.echo();
        c = BlockingServer.echo();
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            refusing = (InetSocketAddress) probe.getLocalSocketAddress();
        }
    }

    @AfterEach
    void stopBackends() {
        a.close();
        b.close();
        c.close();
    }

    private static String name(InetSocketAddress address) {
        return "127.0.0.1:" + address.getPort();
    }

    private ForwarderConfig config(boolean withB, boolean withBroken) {
        return ConfigLoader.parse("""
                forwarder {
                  io-threads = 2
                  shutdown-timeout = 0s
                  listeners {
                    web { bind = "127.0.0.1:0", pool = web }
                    %s
                  }
                  pools {
                    web { max-fails = 0, backends = [ "%s" %s ] }
                    broken { max-fails = 0, connect-tries = 1, backends = [ "%s" ] }
                    checked {
                      backends = [ "%s", "%s" ]
                      health-check { type = tcp, interval = 100ms, timeout = 500ms, fall = 2, initial-state = up }
                    }
                  }
                }
                """.formatted(withBroken ? "broken { bind = \"127.0.0.1:0\", pool = broken }" : "",
                name(a.address()), withB ? ", \"" + name(b.address()) + "\"" : "", name(refusing),
                name(c.address()), name(refusing)), "test");
    }

    @Test
    void countsKnownTrafficPerListenerAndBackendAndPassesPromtool() throws Exception {
        try (Forwarder forwarder = Forwarder.start(config(true, true))) {
            long[] upA = new long[1];
            long[] upB = new long[1];
            int toA = 0;
            for (int size : SIZES) {
                int before = a.accepted();
                echoThrough(forwarder.listenerAddress("web"), size);
                if (a.accepted() > before) {
                    toA++;
                    upA[0] += size;
                } else {
                    upB[0] += size;
                }
            }
            for (int i = 0; i < REFUSED_CONNECTIONS; i++) {
                refusedThrough(forwarder.listenerAddress("broken"));
            }
            PrometheusMetrics prometheus = new PrometheusMetrics(forwarder.metrics());
            String backendA = name(a.address());
            String backendB = name(b.address());
            String backendR = name(refusing);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                Exposition now = scrape(prometheus);
                assertThat(now.value("forwarder_listener_session_duration_seconds_count", "listener", "web"))
                        .isEqualTo(SIZES.length);
                assertThat(now.value("forwarder_listener_session_duration_seconds_count", "listener", "broken"))
                        .isEqualTo(REFUSED_CONNECTIONS);
                assertThat(now.value("forwarder_backend_health_checks_total", "pool", "checked",
                        "backend", name(c.address()), "result", "pass")).isGreaterThanOrEqualTo(2);
                assertThat(now.value("forwarder_backend_state", "pool", "checked", "backend", backendR,
                        "state", "down")).isEqualTo(1);
            });
            Exposition metrics = scrape(prometheus);
            int toB = SIZES.length - toA;
            long total = Arrays.stream(SIZES).sum();

            // Listeners.
            assertThat(metrics.value("forwarder_listener_accepted_total", "listener", "web")).isEqualTo(SIZES.length);
            assertThat(metrics.value("forwarder_listener_accepted_total", "listener", "broken"))
                    .isEqualTo(REFUSED_CONNECTIONS);
            assertThat(metrics.value("forwarder_listener_active_connections", "listener", "web")).isZero();
            assertThat(metrics.value("forwarder_listener_unserved_total", "listener", "web")).isZero();
            assertThat(metrics.value("forwarder_listener_unserved_total", "listener", "broken"))
                    .isEqualTo(REFUSED_CONNECTIONS);
            assertThat(metrics.value("forwarder_listener_closed_total", "listener", "web", "reason", "client-closed"))
                    .isEqualTo(SIZES.length);
            assertThat(metrics.value("forwarder_listener_closed_total", "listener", "broken",
                    "reason", "connect-failed")).isEqualTo(REFUSED_CONNECTIONS);
            assertThat(metrics.all("forwarder_listener_closed_total")).hasSize(2 * CloseReason.values().length);
            assertThat(metrics.value("forwarder_listener_bytes_total", "listener", "web", "direction", "up"))
                    .isEqualTo(total);
            assertThat(metrics.value("forwarder_listener_bytes_total", "listener", "web", "direction", "down"))
                    .isEqualTo(total);
            assertThat(metrics.value("forwarder_listener_session_duration_seconds_bucket", "listener", "web",
                    "le", "+Inf")).isEqualTo(SIZES.length);
            assertThat(metrics.value("forwarder_listener_session_duration_seconds_sum", "listener", "web"))
                    .isPositive();

            // Backends: round-robin spread the six over both; the refusing one failed each connect.
            assertThat(toA).isEqualTo(3);
            assertThat(metrics.value("forwarder_backend_connects_total", "pool", "web", "backend", backendA))
                    .isEqualTo(toA);
            assertThat(metrics.value("forwarder_backend_connects_total", "pool", "web", "backend", backendB))
                    .isEqualTo(toB);
            assertThat(metrics.value("forwarder_backend_connect_failures_total", "pool", "web", "backend", backendA))
                    .isZero();
            assertThat(metrics.value("forwarder_backend_connects_total", "pool", "broken", "backend", backendR))
                    .isZero();
            assertThat(metrics.value("forwarder_backend_connect_failures_total", "pool", "broken",
                    "backend", backendR)).isEqualTo(REFUSED_CONNECTIONS);
            assertThat(metrics.value("forwarder_backend_connect_duration_seconds_count", "pool", "web",
                    "backend", backendA)).isEqualTo(toA);
            assertThat(metrics.value("forwarder_backend_connect_duration_seconds_count", "pool", "broken",
                    "backend", backendR)).isZero();
            assertThat(metrics.value("forwarder_backend_bytes_total", "pool", "web", "backend", backendA,
                    "direction", "up")).isEqualTo(upA[0]);
            assertThat(metrics.value("forwarder_backend_bytes_total", "pool", "web", "backend", backendA,
                    "direction", "down")).isEqualTo(upA[0]);
            assertThat(metrics.value("forwarder_backend_bytes_total", "pool", "web", "backend", backendB,
                    "direction", "up")).isEqualTo(upB[0]);
            assertThat(metrics.value("forwarder_backend_active_connections", "pool", "web", "backend", backendA))
                    .isZero();
            assertThat(metrics.value("forwarder_backend_up", "pool", "web", "backend", backendA)).isOne();
            assertThat(metrics.value("forwarder_backend_state", "pool", "web", "backend", backendA, "state", "up"))
                    .isOne();
            assertThat(metrics.value("forwarder_backend_state", "pool", "web", "backend", backendA,
                    "state", "down")).isZero();
            assertThat(metrics.value("forwarder_backend_weight", "pool", "web", "backend", backendA)).isOne();
            assertThat(metrics.value("forwarder_backend_effective_weight", "pool", "web", "backend", backendA))
                    .isOne();
            assertThat(metrics.value("forwarder_backend_health_checks_total", "pool", "web", "backend", backendA,
                    "result", "pass")).isZero();
            assertThat(metrics.value("forwarder_backend_health_checks_total", "pool", "checked", "backend", backendR,
                    "result", "fail")).isGreaterThanOrEqualTo(2);
            assertThat(metrics.value("forwarder_backend_health_checks_total", "pool", "checked", "backend", backendR,
                    "result", "pass")).isZero();
            assertThat(metrics.value("forwarder_backend_up", "pool", "checked", "backend", backendR)).isZero();
            assertThat(metrics.value("forwarder_pool_waiting_connections", "pool", "web")).isZero();
            assertThat(metrics.value("forwarder_pool_available", "pool", "web")).isOne();

            everyFamilyHasHelpAndType(metrics);
            promtoolAccepts(metrics.text);
            // For a person to look at (README, notes): what a scrape after this traffic returns.
            Files.writeString(Path.of("target", "metrics-after-known-traffic.prom"), metrics.text);
        }
    }

    @Test
    void removedListenersAndBackendsLeaveTheExposition() throws Exception {
        try (Forwarder forwarder = Forwarder.start(config(true, true))) {
            PrometheusMetrics prometheus = new PrometheusMetrics(forwarder.metrics());
            String backendB = name(b.address());
            assertThat(scrape(prometheus).all("forwarder_backend_connects_total"))
                    .anyMatch(s -> backendB.equals(s.labels().get("backend")));

            forwarder.apply(config(false, false));

            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                Exposition now = scrape(prometheus);
                assertThat(now.samples).noneMatch(s -> backendB.equals(s.labels().get("backend")));
                assertThat(now.samples).noneMatch(s -> "broken".equals(s.labels().get("listener")));
            });
            Exposition after = scrape(prometheus);
            assertThat(after.value("forwarder_backend_connects_total", "pool", "web", "backend", name(a.address())))
                    .isZero();
            promtoolAccepts(after.text);
        }
    }

    @Test
    void contentTypeIsTheTextFormat() {
        assertThat(new PrometheusMetrics(new com.codahale.metrics.MetricRegistry()).contentType())
                .startsWith("text/plain; version=0.0.4");
    }

    @Test
    void promtoolCheckIsRealAndRejectsABrokenExposition() {
        // A counter without _total and a sample without HELP: what the check above must catch.
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> promtoolAccepts(
                "# TYPE forwarder_things counter\nforwarder_things 1\n")).isInstanceOf(AssertionError.class);
    }

    private static Exposition scrape(PrometheusMetrics prometheus) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        prometheus.writeTo(out);
        return new Exposition(out.toString(StandardCharsets.UTF_8));
    }

    private static void echoThrough(InetSocketAddress listener, int size) throws IOException {
        byte[] sent = new byte[size];
        Arrays.fill(sent, (byte) 'x');
        try (Socket socket = new Socket()) {
            socket.connect(listener, 5_000);
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(sent);
            socket.shutdownOutput();
            assertThat(socket.getInputStream().readAllBytes()).hasSize(size);
        }
    }

    private static void refusedThrough(InetSocketAddress listener) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(listener, 5_000);
            socket.setSoTimeout(5_000);
            InputStream in = socket.getInputStream();
            try {
                assertThat(in.read()).isEqualTo(-1);
            } catch (java.net.SocketException reset) {
                // A close with nothing relayed may reach the client as a reset; either way nothing came.
            }
        }
    }

    private static void everyFamilyHasHelpAndType(Exposition metrics) {
        assertThat(metrics.types).isNotEmpty();
        assertThat(metrics.helped).containsExactlyInAnyOrderElementsOf(metrics.types.keySet());
        for (Exposition.Sample sample : metrics.samples) {
            // The text format names a counter's family with its _total; a histogram's without _bucket, ...
            String family = metrics.types.containsKey(sample.name()) ? sample.name()
                    : sample.name().replaceFirst("_(bucket|sum|count)$", "");
            assertThat(metrics.types).as("TYPE of %s", sample.name()).containsKey(family);
            if (metrics.types.get(family).equals("counter")) {
                assertThat(sample.name()).endsWith("_total");
            }
            if (family.contains("duration")) {
                assertThat(family).endsWith("_seconds");
            }
            if (family.contains("bytes")) {
                assertThat(family).endsWith("_bytes_total");
            }
        }
    }

    /** {@code promtool check metrics}: a missing promtool fails the test (scripts/test-tools.sh installs it). */
    static void promtoolAccepts(String exposition) throws IOException, InterruptedException {
        Path file = Files.createTempFile("forwarder-metrics", ".prom");
        try {
            Files.writeString(file, exposition);
            Process promtool;
            try {
                promtool = new ProcessBuilder("promtool", "check", "metrics").redirectInput(file.toFile())
                        .redirectErrorStream(true).start();
            } catch (IOException missing) {
                throw new AssertionError("promtool not found: run scripts/test-tools.sh (Debian package"
                        + " prometheus)", missing);
            }
            String said = new String(promtool.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(promtool.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(said).as("promtool check metrics").isEmpty();
            assertThat(promtool.exitValue()).as("promtool exit status, output: %s", said).isZero();
        } finally {
            Files.deleteIfExists(file);
        }
    }
}
