package dev.forwarder.app.config;

import dev.forwarder.core.ListenerSettings;
import dev.forwarder.core.access.AccessSettings;
import dev.forwarder.core.access.Cidr;
import dev.forwarder.core.proxy.ProxyProtocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The access, limit and PROXY keys: read, defaulted, printed back, and every bad value named by file and line. */
class ProtectionConfigTest {

    @TempDir
    Path dir;

    private static final String CONFIG = """
            forwarder {
              listener-defaults { max-connections-per-client = 50 }
              listeners {
                web {
                  bind = "127.0.0.1:0", pool = web
                  allow = [ "10.0.0.0/8", "2001:db8::/32" ]
                  deny = [ "10.9.0.0/16" ]
                  max-connections = 1000
                  accept-rate-per-client = 20
                  first-byte-timeout = 5s
                  accept-proxy = v2
                  proxy-header-timeout = 1s
                  accept-proxy-from = [ "10.1.0.0/16", "::1" ]
                }
                plain { bind = "127.0.0.1:0", pool = web }
              }
              pools { web { backends = [ "127.0.0.1:9001" ], send-proxy = v1 } }
            }
            """;

    @Test
    void readsEveryKeyAndFallsBackToTheDefaults() {
        ForwarderConfig config = ConfigLoader.parse(CONFIG, "test");
        ListenerSettings web = config.listeners().get("web").toSettings(Duration.ofSeconds(3));
        assertThat(web.access()).isEqualTo(new AccessSettings(
                List.of(Cidr.parse("10.0.0.0/8"), Cidr.parse("2001:db8::/32")), List.of(Cidr.parse("10.9.0.0/16")),
                1000, 50, 20, Duration.ofSeconds(5), List.of(Cidr.parse("10.1.0.0/16"), Cidr.parse("::1"))));
        assertThat(web.acceptProxy()).isEqualTo(ProxyProtocol.V2);
        assertThat(web.proxyHeaderTimeout()).isEqualTo(Duration.ofSeconds(1));
        ListenerSettings plain = config.listeners().get("plain").toSettings(Duration.ofSeconds(3));
        assertThat(plain.access()).isEqualTo(AccessSettings.NONE.withLimits(0, 50, 0));
        assertThat(plain.acceptProxy()).isEqualTo(ProxyProtocol.OFF);
        assertThat(plain.proxyHeaderTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(config.pools().get("web").settings().sendProxy()).isEqualTo(ProxyProtocol.V1);
    }

    @Test
    void theDefaultsChangeNothing() {
        ForwarderConfig config = ConfigLoader.parse("""
                forwarder {
                  listeners { web { bind = "127.0.0.1:0", pool = web } }
                  pools { web { backends = [ "127.0.0.1:9001" ] } }
                }
                """, "test");
        assertThat(config.listeners().get("web").protection()).isEqualTo(ProtectionConfig.NONE);
        assertThat(config.pools().get("web").settings().sendProxy()).isEqualTo(ProxyProtocol.OFF);
    }

    @Test
    void theEffectiveConfigPrintsThemAndReadsBackEqual() {
        ForwarderConfig config = ConfigLoader.parse(CONFIG, "test");
        String printed = ConfigPrinter.render(config);
        assertThat(printed).contains("allow = [\"10.0.0.0/8\", ").contains("accept-proxy = v2")
                .contains("send-proxy = v1").contains("first-byte-timeout = 5s")
                .contains("accept-proxy-from = [\"10.1.0.0/16\", ");
        assertThat(ConfigLoader.parse(printed, "printed")).isEqualTo(config);
    }

    private ConfigError errorAt(String text, String marker, String key) {
        Path file = ConfigFiles.write(dir, "fwd.conf", text);
        ConfigError error = catchThrowableOfType(ConfigError.class, () -> ConfigLoader.load(file));
        assertThat(error).as("expected a config error for:%n%s", text).isNotNull();
        assertThat(error.file()).isEqualTo(file.toString());
        assertThat(error.line()).isEqualTo(ConfigFiles.lineOf(text, marker));
        assertThat(error.key()).isEqualTo(key);
        return error;
    }

    private static String listener(String keys) {
        return """
                forwarder {
                  listeners {
                    web {
                      bind = "127.0.0.1:0", pool = web
                """ + keys + """
                    }
                  }
                  pools { web { backends = [ "127.0.0.1:9001" ] } }
                }
                """;
    }

    @Test
    void aBadNetworkIsNamedByItsIndex() {
        ConfigError error = errorAt(listener("allow = [ \"10.0.0.0/8\",\n \"10.0.0.1/8\" ]\n"), "\"10.0.0.1/8\"",
                "forwarder.listeners.web.allow[1]");
        assertThat(error.problem()).contains("host bits").contains("10.0.0.0/8");
        errorAt(listener("deny = [ \"not-an-ip\" ]\n"), "not-an-ip", "forwarder.listeners.web.deny[0]");
        errorAt(listener("deny = [ \"::1/129\" ]\n"), "::1/129", "forwarder.listeners.web.deny[0]");
        errorAt(listener("deny = \"10.0.0.0/8\"\n"), "deny =", "forwarder.listeners.web.deny");
        errorAt(listener("accept-proxy = v1\naccept-proxy-from = [ \"10.0.0.0/33\" ]\n"), "10.0.0.0/33",
                "forwarder.listeners.web.accept-proxy-from[0]");
    }

    @Test
    void negativeAndOutOfRangeNumbersAreErrors() {
        errorAt(listener("max-connections = -1\n"), "max-connections", "forwarder.listeners.web.max-connections");
        errorAt(listener("max-connections-per-client = -3\n"), "max-connections-per-client",
                "forwarder.listeners.web.max-connections-per-client");
        errorAt(listener("accept-rate-per-client = 2000000\n"), "accept-rate",
                "forwarder.listeners.web.accept-rate-per-client");
        errorAt(listener("first-byte-timeout = -1s\n"), "first-byte", "forwarder.listeners.web.first-byte-timeout");
        errorAt(listener("proxy-header-timeout = 0s\n"), "proxy-header",
                "forwarder.listeners.web.proxy-header-timeout");
        errorAt(listener("accept-proxy = v3\n"), "accept-proxy", "forwarder.listeners.web.accept-proxy");
    }

    @Test
    void aPoolSendsOnlyAVersion() {
        String text = """
                forwarder {
                  listeners { web { bind = "127.0.0.1:0", pool = web } }
                  pools { web { backends = [ "127.0.0.1:9001" ]
                    send-proxy = any } }
                }
                """;
        ConfigError error = errorAt(text, "send-proxy", "forwarder.pools.web.send-proxy");
        assertThat(error.problem()).contains("off, v1, v2");
    }

    @Test
    void defaultsAreCheckedUnderTheirOwnKeys() {
        String text = """
                forwarder {
                  listener-defaults {
                    deny = [ "300.0.0.0/8" ]
                  }
                  listeners { web { bind = "127.0.0.1:0", pool = web } }
                  pools { web { backends = [ "127.0.0.1:9001" ] } }
                }
                """;
        errorAt(text, "300.0.0.0", "forwarder.listener-defaults.deny[0]");
    }
}
