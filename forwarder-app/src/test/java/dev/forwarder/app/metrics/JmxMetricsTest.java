package dev.forwarder.app.metrics;

import dev.forwarder.app.Forwarder;
import dev.forwarder.app.config.ConfigLoader;
import dev.forwarder.app.config.ForwarderConfig;
import dev.forwarder.core.testing.BlockingServer;
import org.junit.jupiter.api.Test;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code forwarder.metrics.jmx}: the registry as MBeans from start to shutdown, and none by default. */
class JmxMetricsTest {

    private static final MBeanServer SERVER = ManagementFactory.getPlatformMBeanServer();

    private static ForwarderConfig config(int backendPort, boolean jmx) {
        return ConfigLoader.parse("""
                forwarder {
                  io-threads = 1
                  shutdown-timeout = 0s
                  metrics.jmx = %s
                  listeners { jmxweb { bind = "127.0.0.1:0", pool = jmxweb } }
                  pools { jmxweb { backends = [ "127.0.0.1:%d" ] } }
                }
                """.formatted(jmx, backendPort), "test");
    }

    @Test
    void publishesTheRegistryWhileRunning() throws Exception {
        ObjectName acceptedMeter = new ObjectName("forwarder:name=forwarder.listeners.jmxweb.accepted,type=meters");
        try (BlockingServer backend = BlockingServer.echo()) {
            try (Forwarder forwarder = Forwarder.start(config(backend.address().getPort(), true))) {
                try (Socket client = new Socket()) {
                    client.connect(forwarder.listenerAddress("jmxweb"), 5_000);
                    client.setSoTimeout(5_000);
                    client.getOutputStream().write('x');
                    assertThat(client.getInputStream().read()).isEqualTo('x');
                }
                await().atMost(Duration.ofSeconds(5))
                        .until(() -> SERVER.isRegistered(acceptedMeter)
                                && ((Number) SERVER.getAttribute(acceptedMeter, "Count")).longValue() == 1);
                // Backend names hold a colon: quoted, and still under their type.
                ObjectName connects = new ObjectName("forwarder", "name", ObjectName.quote(MetricNames.backend(
                        "jmxweb", "127.0.0.1:" + backend.address().getPort(), MetricNames.CONNECTS)));
                assertThat(SERVER.queryNames(new ObjectName("forwarder:type=meters,*"), null))
                        .anyMatch(name -> name.getKeyProperty("name").equals(connects.getKeyProperty("name")));
                assertThat(SERVER.queryNames(new ObjectName("forwarder:type=meters,*"), null))
                        .contains(acceptedMeter);
            }
            assertThat(SERVER.isRegistered(acceptedMeter)).as("unregistered at shutdown").isFalse();
        }
    }

    @Test
    void publishesNothingByDefault() throws Exception {
        try (BlockingServer backend = BlockingServer.echo();
             Forwarder forwarder = Forwarder.start(config(backend.address().getPort(), false))) {
            assertThat(forwarder.metrics().getMetrics()).isNotEmpty();
            assertThat(SERVER.queryNames(new ObjectName("forwarder:*"), null)).isEmpty();
        }
    }
}
