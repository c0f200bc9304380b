package dev.forwarder.app;

import com.codahale.metrics.MetricRegistry;
import dev.forwarder.app.config.ConfigLoader;
import dev.forwarder.app.config.ForwarderConfig;
import dev.forwarder.app.demo.DemoBackend;
import dev.forwarder.app.demo.DemoClient;
import dev.forwarder.app.metrics.MetricNames;
import dev.forwarder.core.CloseReason;
import dev.forwarder.core.ListenerBindException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The assembled forwarder, in process, against two real backends on 127.0.0.1. */
class ForwarderTest {

    private static EventLoopGroup group;
    private static DemoBackend first;
    private static DemoBackend second;

    @BeforeAll
    static void startBackends() {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        first = DemoBackend.start("first", group);
        second = DemoBackend.start("second", group);
    }

    @AfterAll
    static void stopBackends() {
        first.close();
        second.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static ForwarderConfig config(String secondBackend, String listeners) {
        return ConfigLoader.parse("""
                forwarder {
                  io-threads = 2
                  listeners { %s }
                  pools { web { backends = [ "127.0.0.1:%d", %s ] } }
                }
                """.formatted(listeners, first.address().getPort(), secondBackend), "test");
    }

    private static ForwarderConfig config(String secondBackend) {
        return config(secondBackend, "web { bind = \"127.0.0.1:0\", pool = web }");
    }

    private static List<String> requests(Forwarder forwarder, int count) throws IOException {
        List<String> answers = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            answers.add(DemoClient.get(forwarder.listenerAddress("web")));
        }
        return answers;
    }

    @Test
    void roundRobinAlternatesAcrossBackends() throws Exception {
        try (Forwarder forwarder = Forwarder.start(config("\"127.0.0.1:" + second.address().getPort() + "\""))) {
            assertThat(requests(forwarder, 6)).containsExactly(first.greeting(), second.greeting(),
                    first.greeting(), second.greeting(), first.greeting(), second.greeting());
        }
    }

    @Test
    void weightsShareConnectionsInProportion() throws Exception {
        String heavy = "{ address = \"127.0.0.1:" + second.address().getPort() + "\", weight = 2 }";
        try (Forwarder forwarder = Forwarder.start(config(heavy))) {
            List<String> answers = requests(forwarder, 9);

            assertThat(answers).filteredOn(second.greeting()::equals).hasSize(6);
            assertThat(answers).filteredOn(first.greeting()::equals).hasSize(3);
        }
    }

    @Test
    void recordsEveryConnectionInItsMetrics() throws Exception {
        try (Forwarder forwarder = Forwarder.start(config("\"127.0.0.1:" + second.address().getPort() + "\""))) {
            requests(forwarder, 4);
            MetricRegistry metrics = forwarder.metrics();

            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                assertThat(metrics.counter(MetricNames.listener("web", MetricNames.ACTIVE_CONNECTIONS)).getCount())
                        .isZero();
                assertThat(metrics.timer(MetricNames.listener("web", MetricNames.DURATION)).getCount()).isEqualTo(4);
            });
            assertThat(metrics.meter(MetricNames.listener("web", MetricNames.ACCEPTED)).getCount()).isEqualTo(4);
            assertThat(metrics.meter(MetricNames.closed("web", CloseReason.BACKEND_CLOSED)).getCount())
                    .isEqualTo(4);
            assertThat(metrics.meter(MetricNames.listener("web", MetricNames.BYTES_UP)).getCount())
                    .isGreaterThan(4 * 40);
            assertThat(metrics.meter(MetricNames.listener("web", MetricNames.BYTES_DOWN)).getCount())
                    .isGreaterThan(4 * first.greeting().length());
            String backend = "127.0.0.1:" + first.address().getPort();
            assertThat(metrics.getGauges()).containsKey(
                    MetricNames.backend("web", backend, MetricNames.ACTIVE_CONNECTIONS));
            await().atMost(Duration.ofSeconds(5)).until(() -> metrics.getGauges()
                    .get(MetricNames.backend("web", backend, MetricNames.ACTIVE_CONNECTIONS)).getValue()
                    .equals(0));
        }
    }

    @Test
    void metricsOffRegistersNoMetricAndStillRelays() throws Exception {
        ForwarderConfig config = ConfigLoader.parse("""
                forwarder {
                  io-threads = 2
                  metrics.enabled = false
                  listeners { web { bind = "127.0.0.1:0", pool = web } }
                  pools { web { backends = [ "127.0.0.1:%d", "127.0.0.1:%d" ] } }
                }
                """.formatted(first.address().getPort(), second.address().getPort()), "test");
        try (Forwarder forwarder = Forwarder.start(config)) {
            assertThat(requests(forwarder, 4)).containsExactly(first.greeting(), second.greeting(),
                    first.greeting(), second.greeting());

            assertThat(forwarder.metrics().getMetrics()).isEmpty();
            // The pool still counts each backend's connections for its strategy; only the gauges are gone.
            await().atMost(Duration.ofSeconds(5)).until(() -> forwarder.pool("web").members().stream()
                    .allMatch(member -> member.activeConnections() == 0));
        }
    }

    @Test
    void reportsTheActualPortOfEachListener() throws Exception {
        try (Forwarder forwarder = Forwarder.start(config("\"127.0.0.1:" + second.address().getPort() + "\""))) {
            InetSocketAddress address = forwarder.listenerAddress("web");

            assertThat(address.getAddress().isLoopbackAddress()).isTrue();
            assertThat(address.getPort()).isPositive();
            assertThatThrownBy(() -> forwarder.listenerAddress("nope")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("listenerName: nope (expected one of: web)");
        }
    }

    @Test
    void failsWithAClearMessageWhenAPortIsTaken() throws IOException {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            ForwarderConfig config = config("\"127.0.0.1:" + second.address().getPort() + "\"",
                    "a { bind = \"127.0.0.1:0\", pool = web }, b { bind = \"127.0.0.1:" + taken.getLocalPort()
                            + "\", pool = web }");

            assertThatThrownBy(() -> Forwarder.start(config)).isInstanceOf(ListenerBindException.class)
                    .hasMessage("listener b: cannot bind 127.0.0.1:" + taken.getLocalPort()
                            + ": Address already in use");
        }
    }

    @Test
    void shutdownWithoutConnectionsCutsNoneAndRunsOnce() throws Exception {
        Forwarder forwarder = Forwarder.start(config("\"127.0.0.1:" + second.address().getPort() + "\""));
        InetSocketAddress address = forwarder.listenerAddress("web");

        assertThat(forwarder.shutdown(Duration.ofSeconds(1))).isZero();
        assertThat(forwarder.shutdown(Duration.ofSeconds(1))).isZero();
        assertThatThrownBy(() -> DemoClient.get(address)).isInstanceOf(IOException.class);
    }
}
