package dev.forwarder.app.config;

import dev.forwarder.core.testing.TestCertificates;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@code tls.alpn-pools}: read, inherited from listener-defaults, and refused with file, line and key where a key
 * is not a protocol {@code alpn} offers, or names no pool (as {@code sni-pools} is).
 */
class TlsPoolsConfigTest {

    @TempDir
    Path dir;

    @BeforeEach
    void certificates() throws IOException {
        TestCertificates.create(dir, "fwd");
    }

    private ForwarderConfig load(String text) throws IOException {
        Path file = dir.resolve("forwarder.conf");
        Files.writeString(file, text);
        return ConfigLoader.load(file);
    }

    @Test
    void alpnPoolsAreReadAndInheritedFromListenerDefaults() throws Exception {
        ForwarderConfig config = load("""
                forwarder {
                  listener-defaults.tls { certificate = "fwd.pem", key = "fwd.key", alpn = [ "h2", "http/1.1" ],
                                          alpn-pools { "h2" = grpc } }
                  listeners {
                    inherits { bind = "127.0.0.1:0", pool = web }
                    own { bind = "127.0.0.1:0", pool = web, tls.alpn-pools { "http/1.1" = web, "h2" = web },
                          tls.sni-pools { "b.example.com" = grpc, "a.example.com" = web } }
                  }
                  pools { web { backends = [ "127.0.0.1:9" ] }, grpc { backends = [ "127.0.0.1:9" ] } }
                }
                """);
        assertThat(config.listeners().get("inherits").tls().alpnPools()).isEqualTo(Map.of("h2", "grpc"));
        assertThat(config.listeners().get("own").tls().alpnPools()).isEqualTo(Map.of("http/1.1", "web", "h2", "web"));
        // check prints them (several entries too), and the print reads back as the same config.
        String printed = ConfigPrinter.render(config);
        assertThat(printed).contains("alpn-pools { \"h2\" = \"grpc\" }",
                "alpn-pools { \"h2\" = \"web\", \"http/1.1\" = \"web\" }",
                "sni-pools { \"a.example.com\" = \"web\", \"b.example.com\" = \"grpc\" }");
        assertThat(ConfigLoader.parse(printed, "printed")).isEqualTo(config);
    }

    @Test
    void anAlpnPoolsKeyNotOfferedInAlpnIsAConfigError() {
        assertThatThrownBy(() -> load("""
                forwarder {
                  listeners { front { bind = "127.0.0.1:0", pool = web,
                    tls { certificate = "fwd.pem", key = "fwd.key", alpn = [ "h2", "http/1.1" ],
                          alpn-pools { "h3" = web } } } }
                  pools { web { backends = [ "127.0.0.1:9" ] } }
                }
                """)).isInstanceOf(ConfigError.class)
                .hasMessageContaining("forwarder.conf:4: forwarder.listeners.front.tls.alpn-pools.h3")
                .hasMessageContaining("\"h3\" is not offered by forwarder.listeners.front.tls.alpn (expected one of: "
                        + "h2, http/1.1");
        // ALPN names are compared exactly: H2 is not h2.
        assertThatThrownBy(() -> load("""
                forwarder {
                  listeners { front { bind = "127.0.0.1:0", pool = web,
                    tls { certificate = "fwd.pem", key = "fwd.key", alpn = [ "h2" ], alpn-pools { "H2" = web } } } }
                  pools { web { backends = [ "127.0.0.1:9" ] } }
                }
                """)).isInstanceOf(ConfigError.class)
                .hasMessageContaining("forwarder.conf:3: forwarder.listeners.front.tls.alpn-pools.H2")
                .hasMessageContaining("\"H2\" is not offered");
        // No alpn at all: nothing is ever agreed.
        assertThatThrownBy(() -> load("""
                forwarder {
                  listeners { front { bind = "127.0.0.1:0", pool = web,
                    tls { certificate = "fwd.pem", key = "fwd.key",
                          alpn-pools { "h2" = web } } } }
                  pools { web { backends = [ "127.0.0.1:9" ] } }
                }
                """)).isInstanceOf(ConfigError.class)
                .hasMessageContaining("forwarder.conf:4: forwarder.listeners.front.tls.alpn-pools.h2")
                .hasMessageContaining("none, alpn is empty");
    }

    @Test
    void aListenerThatNarrowsAlpnBelowTheInheritedAlpnPoolsIsAConfigErrorAtTheDefaultsLine() {
        assertThatThrownBy(() -> load("""
                forwarder {
                  listener-defaults.tls { certificate = "fwd.pem", key = "fwd.key", alpn = [ "h2", "http/1.1" ],
                                          alpn-pools { "h2" = web } }
                  listeners { front { bind = "127.0.0.1:0", pool = web, tls.alpn = [ "http/1.1" ] } }
                  pools { web { backends = [ "127.0.0.1:9" ] } }
                }
                """)).isInstanceOf(ConfigError.class)
                .hasMessageContaining("forwarder.conf:3: forwarder.listener-defaults.tls.alpn-pools.h2")
                .hasMessageContaining("is not offered by forwarder.listeners.front.tls.alpn (expected one of: "
                        + "http/1.1");
    }

    @Test
    void anAlpnPoolsValueThatIsNoPoolIsAConfigError() {
        assertThatThrownBy(() -> load("""
                forwarder {
                  listeners { front { bind = "127.0.0.1:0", pool = web,
                    tls { certificate = "fwd.pem", key = "fwd.key", alpn = [ "h2" ],
                          alpn-pools { "h2" = nowhere } } } }
                  pools { web { backends = [ "127.0.0.1:9" ] } }
                }
                """)).isInstanceOf(ConfigError.class)
                .hasMessageContaining("forwarder.conf:4: forwarder.listeners.front.tls.alpn-pools.h2")
                .hasMessageContaining("\"nowhere\" is not a pool (expected one of: web)");
        assertThatThrownBy(() -> load("""
                forwarder {
                  listeners { front { bind = "127.0.0.1:0", pool = web,
                    tls { certificate = "fwd.pem", key = "fwd.key", alpn = [ "h2" ],
                          alpn-pools { "h2" = [ web ] } } } }
                  pools { web { backends = [ "127.0.0.1:9" ] } }
                }
                """)).isInstanceOf(ConfigError.class)
                .hasMessageContaining("forwarder.conf:4: forwarder.listeners.front.tls.alpn-pools.h2")
                .hasMessageContaining("is not a pool name (expected: \"protocol\" = pool");
    }

    @Test
    void alpnPoolsWithoutACertificateIsAConfigError() {
        assertThatThrownBy(() -> load("""
                forwarder {
                  listeners { front { bind = "127.0.0.1:0", pool = web,
                    tls { alpn = [ "h2" ], alpn-pools { "h2" = web } } } }
                  pools { web { backends = [ "127.0.0.1:9" ] } }
                }
                """)).isInstanceOf(ConfigError.class)
                .hasMessageContaining("forwarder.conf:3: forwarder.listeners.front.tls.alpn-pools")
                .hasMessageContaining("set without a certificate");
    }
}
