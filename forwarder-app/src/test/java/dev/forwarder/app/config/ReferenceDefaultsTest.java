package dev.forwarder.app.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import dev.forwarder.app.capture.CaptureMode;
import dev.forwarder.app.capture.CaptureSettings;
import dev.forwarder.balancer.BackendSpec;
import dev.forwarder.balancer.MemberState;
import dev.forwarder.balancer.OnDown;
import dev.forwarder.balancer.PoolSettings;
import dev.forwarder.balancer.health.HealthCheckSettings;
import dev.forwarder.balancer.health.HealthCheckType;
import dev.forwarder.core.ListenerSettings;
import dev.forwarder.core.Transport;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** What a config gets when it says nothing: every default of reference.conf, checked one by one. */
class ReferenceDefaultsTest {

    private static final String MINIMAL = """
            forwarder {
              listeners { web { bind = "127.0.0.1:8080", pool = web } }
              pools { web { backends = [ "127.0.0.1:9001" ] } }
            }
            """;

    private static Config reference() {
        // As written: the environment's overrides of a default (FORWARDER_ADMIN_BIND, ..._TOKEN) left out.
        return ConfigFactory.parseResources(ConfigLoader.class.getClassLoader(), "reference.conf")
                .resolve(com.typesafe.config.ConfigResolveOptions.defaults().setUseSystemEnvironment(false))
                .getConfig("forwarder");
    }

    @Test
    void referenceConfDefinesExactlyTheDocumentedKeys() {
        assertThat(reference().entrySet().stream().map(Map.Entry::getKey).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder(
                        "transport", "io-threads", "shutdown-timeout", "metrics.enabled", "metrics.jmx", "log.format",
                        "admin.enabled", "admin.bind", "admin.token",
                        "listener-defaults.idle-timeout", "listener-defaults.backlog", "listener-defaults.defer-accept",
                        "listener-defaults.write-buffer-low-water-mark",
                        "listener-defaults.write-buffer-high-water-mark", "listener-defaults.when-no-backend",
                        "listener-defaults.splice", "listener-defaults.capture.mode",
                        "listener-defaults.capture.max-bytes", "listener-defaults.capture.dir",
                        "listener-defaults.capture.max-file-size", "listener-defaults.capture.max-files",
                        "listener-defaults.capture.summary",
                        "listener-defaults.allow", "listener-defaults.deny",
                        "listener-defaults.max-connections", "listener-defaults.max-connections-per-client",
                        "listener-defaults.accept-rate-per-client", "listener-defaults.first-byte-timeout",
                        "listener-defaults.accept-proxy", "listener-defaults.proxy-header-timeout",
                        "listener-defaults.accept-proxy-from",
                        "pool-defaults.send-proxy",
                        "pool-defaults.strategy", "pool-defaults.connect-timeout", "pool-defaults.connect-tries",
                        "pool-defaults.connect-deadline", "pool-defaults.max-connections",
                        "pool-defaults.queue-timeout", "pool-defaults.max-queue", "pool-defaults.max-fails",
                        "pool-defaults.fail-timeout",
                        "pool-defaults.slow-start", "pool-defaults.on-down", "pool-defaults.resolve-interval",
                        "pool-defaults.health-check.type", "pool-defaults.health-check.interval",
                        "pool-defaults.health-check.timeout", "pool-defaults.health-check.rise",
                        "pool-defaults.health-check.fall", "pool-defaults.health-check.jitter",
                        "pool-defaults.health-check.send", "pool-defaults.health-check.expect",
                        "pool-defaults.health-check.expect-regex", "pool-defaults.health-check.path",
                        "pool-defaults.health-check.expect-status", "pool-defaults.health-check.initial-state",
                        "listener-defaults.tls.certificate", "listener-defaults.tls.key", "listener-defaults.tls.alpn",
                        "listener-defaults.tls.provider", "listener-defaults.tls.handshake-timeout",
                        "pool-defaults.tls.enabled", "pool-defaults.tls.ca-file", "pool-defaults.tls.verify",
                        "pool-defaults.tls.server-name", "pool-defaults.tls.alpn", "pool-defaults.tls.provider");
    }

    @Test
    void tlsDefaults() {
        ForwarderConfig config = ConfigLoader.parse(MINIMAL, "minimal");
        assertThat(config.listeners().get("web").tls()).isEqualTo(ListenerTls.OFF);
        assertThat(config.pools().get("web").tls()).isEqualTo(PoolTls.OFF);
        Config tls = reference().getConfig("listener-defaults.tls");
        assertThat(tls.getString("certificate")).isEmpty();
        assertThat(tls.getObject("sni-pools")).isEmpty();
        assertThat(tls.getObject("alpn-pools")).isEmpty();
        assertThat(tls.getStringList("alpn")).isEmpty();
        assertThat(tls.getString("provider")).isEqualTo("auto");
        assertThat(tls.getDuration("handshake-timeout")).isEqualTo(Duration.ofSeconds(10));
        Config origination = reference().getConfig("pool-defaults.tls");
        assertThat(origination.getBoolean("enabled")).isFalse();
        assertThat(origination.getBoolean("verify")).isTrue();
        assertThat(origination.getString("ca-file")).isEmpty();
        assertThat(origination.getString("server-name")).isEmpty();
        assertThat(origination.getString("provider")).isEqualTo("auto");
    }

    @Test
    void everyKeyInReferenceConfIsCommented() {
        for (Map.Entry<String, ConfigValue> entry : reference().entrySet()) {
            assertThat(entry.getValue().origin().comments()).as(entry.getKey()).isNotEmpty();
        }
    }

    @Test
    void topLevelDefaults() {
        ForwarderConfig config = ConfigLoader.parse(MINIMAL, "minimal");

        assertThat(config.transport()).isEqualTo(Transport.AUTO);
        assertThat(config.ioThreads()).isZero();
        assertThat(config.shutdownTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(config.metricsEnabled()).isTrue();
        assertThat(config.metricsJmx()).isFalse();
    }

    @Test
    void adminDefaults() {
        AdminConfig admin = ConfigLoader.parse(MINIMAL, "minimal").admin();

        assertThat(admin.enabled()).isTrue();
        assertThat(admin.loopback()).isTrue();
        // The build sets FORWARDER_ADMIN_BIND for tests (port 0): the default under it is read unresolved.
        assertThat(reference().getString("admin.bind")).isEqualTo("127.0.0.1:9901");
        assertThat(reference().getString("admin.token")).isEmpty();
        String envBind = System.getenv("FORWARDER_ADMIN_BIND");
        assertThat(admin.bind()).isEqualTo(envBind == null ? new java.net.InetSocketAddress("127.0.0.1", 9901)
                : new java.net.InetSocketAddress("127.0.0.1", Integer.parseInt(envBind.substring(envBind.indexOf(':') + 1))));
        assertThat(admin.token()).isEqualTo(System.getenv().getOrDefault("FORWARDER_ADMIN_TOKEN", ""));
    }

    @Test
    void logDefault() {
        assertThat(ConfigLoader.parse(MINIMAL, "minimal").logFormat()).isEqualTo(LogFormat.TEXT);
    }

    @Test
    void listenerDefaults() {
        ListenerConfig web = ConfigLoader.parse(MINIMAL, "minimal").listeners().get("web");

        assertThat(web.idleTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(web.backlog()).isEqualTo(1024);
        assertThat(web.deferAccept()).isZero();
        assertThat(web.writeBufferLowWaterMark()).isEqualTo(32 * 1024);
        assertThat(web.writeBufferHighWaterMark()).isEqualTo(64 * 1024);
        assertThat(web.whenNoBackend()).isEqualTo(WhenNoBackend.CLOSE);
        assertThat(web.capture()).isEqualTo(CaptureSettings.OFF);
        assertThat(web.capture().mode()).isEqualTo(CaptureMode.OFF);
        assertThat(web.capture().maxBytes()).isEqualTo(1024 * 1024);
        assertThat(web.capture().dir()).isEqualTo(Path.of("captures"));
        assertThat(web.capture().maxFileSize()).isEqualTo(64L * 1024 * 1024);
        assertThat(web.capture().maxFiles()).isEqualTo(10);
        assertThat(web.capture().summary()).isFalse();
    }

    @Test
    void poolDefaults() {
        PoolConfig web = ConfigLoader.parse(MINIMAL, "minimal").pools().get("web");

        assertThat(web.strategy()).isEqualTo("round-robin");
        assertThat(web.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(web.connectTries()).isEqualTo(3);
        assertThat(web.connectDeadline()).isEqualTo(Duration.ofSeconds(10));
        assertThat(web.queueTimeout()).isZero();
        PoolSettings settings = web.settings();
        assertThat(settings.maxConnections()).isZero();
        assertThat(settings.maxQueue()).isEqualTo(1024);
        assertThat(settings.maxFails()).isEqualTo(3);
        assertThat(settings.failTimeout()).isEqualTo(Duration.ofSeconds(10));
        assertThat(settings.slowStart()).isZero();
        assertThat(settings.onDown()).isEqualTo(OnDown.KEEP_SESSIONS);
        assertThat(settings.resolveInterval()).isZero();
        assertThat(web.backends().get(0).maxConnections()).isEqualTo(BackendSpec.POOL_DEFAULT);
    }

    @Test
    void healthCheckDefaults() {
        HealthCheckSettings check = ConfigLoader.parse(MINIMAL, "minimal").pools().get("web").settings()
                .healthCheck();

        assertThat(check.type()).isEqualTo(HealthCheckType.NONE);
        assertThat(check.interval()).isEqualTo(Duration.ofSeconds(2));
        assertThat(check.timeout()).isEqualTo(Duration.ofSeconds(1));
        assertThat(check.rise()).isEqualTo(2);
        assertThat(check.fall()).isEqualTo(3);
        assertThat(check.jitterPercent()).isEqualTo(10);
        assertThat(check.send()).isEmpty();
        assertThat(check.expect()).isEmpty();
        assertThat(check.expectRegex()).isEmpty();
        assertThat(check.path()).isEqualTo("/");
        assertThat(check.expectStatusMin()).isEqualTo(200);
        assertThat(check.expectStatusMax()).isEqualTo(399);
        assertThat(check.initialState()).isEqualTo(MemberState.DOWN);
        assertThat(check).isEqualTo(HealthCheckSettings.NONE);
    }

    @Test
    void poolDefaultsAgreeWithTheBalancersOwnDefaults() {
        assertThat(ConfigLoader.parse(MINIMAL, "minimal").pools().get("web").settings())
                .isEqualTo(PoolSettings.DEFAULT);
    }

    @Test
    void defaultsAgreeWithTheRelaysOwnDefaults() {
        ForwarderConfig config = ConfigLoader.parse(MINIMAL, "minimal");
        ListenerConfig web = config.listeners().get("web");

        assertThat(web.toSettings(config.poolOf(web).connectTimeout()))
                .isEqualTo(ListenerSettings.of("web", new InetSocketAddress("127.0.0.1", 8080)));
    }
}
