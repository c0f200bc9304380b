package dev.forwarder.app.config;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** The examples shipped in the repository's config/ directory stay valid. */
class ExampleConfigTest {

    // Surefire runs in the module's directory.
    private static final Path CONFIG_DIR = Path.of("..", "config");

    @Test
    void exampleConfigIsValid() {
        ForwarderConfig config = ConfigLoader.load(CONFIG_DIR.resolve("forwarder.conf"));

        assertThat(config.listeners()).containsOnlyKeys("web", "cache");
        assertThat(config.listeners().get("cache").idleTimeout()).isEqualTo(Duration.ofHours(1));
        assertThat(config.listeners().get("web").idleTimeout()).isEqualTo(Duration.ofMinutes(5));
        assertThat(config.pools().get("web").backends()).hasSize(3);
    }
}
