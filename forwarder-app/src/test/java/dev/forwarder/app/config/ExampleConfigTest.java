package dev.forwarder.app.config;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The examples shipped with the repository (config/, README.md) stay valid. */
class ExampleConfigTest {

    // Surefire runs in the module's directory.
    private static final Path CONFIG_DIR = Path.of("..", "config");
    private static final Path README = Path.of("..", "README.md");

    @Test
    void exampleConfigIsValid() {
        ForwarderConfig config = ConfigLoader.load(CONFIG_DIR.resolve("forwarder.conf"));

        assertThat(config.listeners()).containsOnlyKeys("web", "cache", "internal");
        assertThat(config.listeners().get("web").protection().access().maxConnectionsPerClient()).isEqualTo(100);
        assertThat(config.listeners().get("internal").protection().acceptProxy())
                .isEqualTo(dev.forwarder.core.proxy.ProxyProtocol.V2);
        assertThat(config.listeners().get("internal").protection().access().acceptProxyFrom())
                .containsExactly(dev.forwarder.core.access.Cidr.parse("10.0.0.0/28"));
        assertThat(config.pools().get("web-pp").settings().sendProxy())
                .isEqualTo(dev.forwarder.core.proxy.ProxyProtocol.V1);
        assertThat(config.listeners().get("cache").idleTimeout()).isEqualTo(Duration.ofHours(1));
        assertThat(config.listeners().get("web").idleTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.listeners().get("web").splice()).isEqualTo(dev.forwarder.core.Splice.AUTO);
        assertThat(config.listeners().get("web").deferAccept()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.listeners().get("cache").deferAccept()).isZero();
        assertThat(config.listeners().get("cache").splice()).isEqualTo(dev.forwarder.core.Splice.OFF);
        assertThat(config.pools().get("web").backends()).hasSize(3);
        assertThat(config.admin().enabled()).isTrue();
        assertThat(config.admin().loopback()).isFalse();
        assertThat(config.admin().token()).isNotEmpty();
    }

    @Test
    void readmeConfigExampleIsValid() throws IOException {
        String readme = Files.readString(README);
        int start = readme.indexOf("```hocon\n") + "```hocon\n".length();
        String example = readme.substring(start, readme.indexOf("```", start));

        ForwarderConfig config = ConfigLoader.parse(example, "README.md");

        assertThat(config.listeners()).containsOnlyKeys("web");
        assertThat(config.pools().get("web").backends()).hasSize(2);
    }
}
