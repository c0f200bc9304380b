package dev.forwarder.app.config;

import dev.forwarder.balancer.BackendSpec;
import dev.forwarder.core.ListenerSettings;
import dev.forwarder.core.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class ConfigLoaderTest {

    @TempDir
    Path dir;

    @Test
    void readsTheContractExample() {
        ForwarderConfig config = ConfigLoader.load(ConfigFiles.write(dir, "fwd.conf", ConfigFiles.example("", "")));

        assertThat(config.listeners()).containsOnlyKeys("web");
        ListenerConfig web = config.listeners().get("web");
        assertThat(web.bind()).isEqualTo(new InetSocketAddress("127.0.0.1", 8080));
        assertThat(web.pool()).isEqualTo("web");
        assertThat(config.pools()).containsOnlyKeys("web");
        PoolConfig pool = config.pools().get("web");
        assertThat(pool.strategy()).isEqualTo("round-robin");
        assertThat(pool.backends()).containsExactly(
                new BackendSpec("127.0.0.1", 9001, 1, false),
                new BackendSpec("127.0.0.1", 9002, 2, false));
    }

    @Test
    void readsBackupFlagAndIpv6Literals() {
        ForwarderConfig config = ConfigLoader.parse("""
                forwarder {
                  listeners { v6 { bind = "[::1]:0", pool = p } }
                  pools { p { backends = [ "[::1]:9001", { address = "127.0.0.1:9002", backup = true } ] } }
                }
                """, "test");

        assertThat(config.listeners().get("v6").bind().getPort()).isZero();
        assertThat(config.listeners().get("v6").bindAuthority()).isEqualTo("[0:0:0:0:0:0:0:1]:0");
        assertThat(config.pools().get("p").backends()).containsExactly(
                new BackendSpec("::1", 9001, 1, false),
                new BackendSpec("127.0.0.1", 9002, 1, true));
    }

    @Test
    void listenersAndPoolsFallBackToTheirDefaultsAndMayOverrideThem() {
        ForwarderConfig config = ConfigLoader.parse("""
                forwarder {
                  transport = nio
                  io-threads = 3
                  shutdown-timeout = 5s
                  listener-defaults { idle-timeout = 1m, backlog = 64 }
                  pool-defaults { connect-timeout = 750ms, connect-tries = 2 }
                  listeners {
                    a { bind = "127.0.0.1:7001", pool = p, defer-accept = 1500ms }
                    b { bind = "127.0.0.1:7002", pool = q, idle-timeout = 0s
                        write-buffer-low-water-mark = 1 MiB, write-buffer-high-water-mark = 2097152 }
                  }
                  pools {
                    p { backends = [ "127.0.0.1:9001" ] }
                    q { backends = [ "127.0.0.1:9002" ], connect-timeout = 10s, connect-tries = 1 }
                  }
                }
                """, "test");

        assertThat(config.transport()).isEqualTo(Transport.NIO);
        assertThat(config.ioThreads()).isEqualTo(3);
        assertThat(config.shutdownTimeout()).isEqualTo(Duration.ofSeconds(5));
        ListenerConfig a = config.listeners().get("a");
        assertThat(a.idleTimeout()).isEqualTo(Duration.ofMinutes(1));
        assertThat(a.backlog()).isEqualTo(64);
        assertThat(a.deferAccept()).isEqualTo(Duration.ofMillis(1500));
        assertThat(a.toSettings(Duration.ofSeconds(3)).deferAcceptSeconds()).isEqualTo(2);
        assertThat(a.writeBufferLowWaterMark()).isEqualTo(32 * 1024);
        ListenerConfig b = config.listeners().get("b");
        assertThat(b.idleTimeout()).isZero();
        assertThat(b.backlog()).isEqualTo(64);
        assertThat(b.deferAccept()).isZero();
        assertThat(b.writeBufferLowWaterMark()).isEqualTo(1024 * 1024);
        assertThat(b.writeBufferHighWaterMark()).isEqualTo(2 * 1024 * 1024);
        assertThat(config.pools().get("p").connectTimeout()).isEqualTo(Duration.ofMillis(750));
        assertThat(config.pools().get("p").connectTries()).isEqualTo(2);
        assertThat(config.pools().get("q").connectTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(config.pools().get("q").connectTries()).isEqualTo(1);
    }

    @Test
    void listenerTakesItsPoolsConnectTimeoutIntoTheRelaySettings() {
        ForwarderConfig config = ConfigLoader.parse(ConfigFiles.example(", idle-timeout = 90s",
                "\n      connect-timeout = 250ms"), "test");
        ListenerConfig web = config.listeners().get("web");

        ListenerSettings settings = web.toSettings(config.poolOf(web).connectTimeout());

        assertThat(settings.name()).isEqualTo("web");
        assertThat(settings.bind()).isEqualTo(new InetSocketAddress("127.0.0.1", 8080));
        assertThat(settings.connectTimeout()).isEqualTo(Duration.ofMillis(250));
        assertThat(settings.idleTimeout()).isEqualTo(Duration.ofSeconds(90));
    }

    @Test
    void resolvesSubstitutionsWithinTheFile() {
        ForwarderConfig config = ConfigLoader.parse("""
                forwarder {
                  pool-defaults { connect-timeout = 2s }
                  pools {
                    web { backends = [ "127.0.0.1:9001" ], connect-timeout = ${forwarder.pool-defaults.connect-timeout} }
                  }
                  listeners { web { bind = "127.0.0.1:0", pool = web } }
                }
                """, "test");

        assertThat(config.pools().get("web").connectTimeout()).isEqualTo(Duration.ofSeconds(2));
    }

    @Test
    void readsTheMetricsSwitch() {
        String text = """
                forwarder {
                  metrics.enabled = false
                  listeners { web { bind = "127.0.0.1:8080", pool = web } }
                  pools { web { backends = [ "127.0.0.1:9001" ] } }
                }
                """;

        assertThat(ConfigLoader.parse(text, "off").metricsEnabled()).isFalse();
        assertThat(ConfigLoader.parse(text.replace("false", "true"), "on").metricsEnabled()).isTrue();
        assertThat(ConfigLoader.parse(text.replace("metrics.enabled = false", "metrics.jmx = true"), "jmx")
                .metricsJmx()).isTrue();
    }

    @Test
    void listsListenersAndPoolsInNameOrder() {
        ForwarderConfig config = ConfigLoader.parse("""
                forwarder {
                  listeners {
                    zeta { bind = "127.0.0.1:7003", pool = p }
                    alpha { bind = "127.0.0.1:7001", pool = p }
                    mid { bind = "127.0.0.1:7002", pool = p }
                  }
                  pools { p { backends = [ "127.0.0.1:9001" ] } }
                }
                """, "test");

        assertThat(config.listeners().keySet()).containsExactly("alpha", "mid", "zeta");
    }
}
