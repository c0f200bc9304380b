package dev.forwarder.app.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValue;
import dev.forwarder.core.ListenerSettings;
import dev.forwarder.core.Transport;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
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
        return ConfigFactory.parseResources(ConfigLoader.class.getClassLoader(), "reference.conf")
                .getConfig("forwarder");
    }

    @Test
    void referenceConfDefinesExactlyTheDocumentedKeys() {
        assertThat(reference().entrySet().stream().map(Map.Entry::getKey).collect(Collectors.toSet()))
                .containsExactlyInAnyOrder(
                        "transport", "io-threads", "shutdown-timeout",
                        "listener-defaults.idle-timeout", "listener-defaults.backlog",
                        "listener-defaults.write-buffer-low-water-mark",
                        "listener-defaults.write-buffer-high-water-mark",
                        "pool-defaults.strategy", "pool-defaults.connect-timeout", "pool-defaults.connect-tries");
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
    }

    @Test
    void listenerDefaults() {
        ListenerConfig web = ConfigLoader.parse(MINIMAL, "minimal").listeners().get("web");

        assertThat(web.idleTimeout()).isEqualTo(Duration.ofMinutes(10));
        assertThat(web.backlog()).isEqualTo(1024);
        assertThat(web.writeBufferLowWaterMark()).isEqualTo(32 * 1024);
        assertThat(web.writeBufferHighWaterMark()).isEqualTo(64 * 1024);
    }

    @Test
    void poolDefaults() {
        PoolConfig web = ConfigLoader.parse(MINIMAL, "minimal").pools().get("web");

        assertThat(web.strategy()).isEqualTo("round-robin");
        assertThat(web.connectTimeout()).isEqualTo(Duration.ofSeconds(3));
        assertThat(web.connectTries()).isEqualTo(1);
    }

    @Test
    void defaultsAgreeWithTheRelaysOwnDefaults() {
        ForwarderConfig config = ConfigLoader.parse(MINIMAL, "minimal");
        ListenerConfig web = config.listeners().get("web");

        assertThat(web.toSettings(config.poolOf(web).connectTimeout()))
                .isEqualTo(ListenerSettings.of("web", new InetSocketAddress("127.0.0.1", 8080)));
    }
}
