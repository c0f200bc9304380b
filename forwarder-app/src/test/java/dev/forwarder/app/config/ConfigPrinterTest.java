package dev.forwarder.app.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

class ConfigPrinterTest {

    private static final String TUNED = """
            forwarder {
              transport = nio
              io-threads = 2
              shutdown-timeout = 1500ms
              metrics { enabled = false }
              listeners {
                web { bind = "127.0.0.1:8080", pool = web, idle-timeout = 0s, write-buffer-high-water-mark = 1 MiB }
                "odd.name" { bind = "[::1]:0", pool = web, backlog = 7, write-buffer-low-water-mark = 1000 }
              }
              pools {
                web {
                  connect-timeout = 2h
                  connect-tries = 3
                  max-queue = 7
                  backends = [ "127.0.0.1:9001", { address = "localhost:9002", weight = 2, backup = true } ]
                }
              }
            }
            """;

    @Test
    void printedConfigReadsBackEqual() {
        ForwarderConfig config = ConfigLoader.parse(TUNED, "tuned");

        String printed = ConfigPrinter.render(config);

        assertThat(ConfigLoader.parse(printed, "printed")).isEqualTo(config);
    }

    @Test
    void printsEveryEffectiveValueWithItsUnit() {
        String printed = ConfigPrinter.render(ConfigLoader.parse(TUNED, "tuned"));

        assertThat(printed).contains(
                "transport = nio",
                "shutdown-timeout = 1500ms",
                "metrics {\n    enabled = false\n    jmx = false\n  }",
                "bind = \"127.0.0.1:8080\"",
                "idle-timeout = 0s",
                "idle-timeout = 10m",
                "write-buffer-high-water-mark = 1 MiB",
                "write-buffer-low-water-mark = 1000 B",
                "\"odd.name\" {",
                "connect-timeout = 2h",
                "max-queue = 7",
                "{ address = \"localhost:9002\", weight = 2, backup = true }");
    }

    @Test
    void writesDurationsAndSizesInTheLargestExactUnit() {
        assertThat(ConfigPrinter.duration(Duration.ofMinutes(10))).isEqualTo("10m");
        assertThat(ConfigPrinter.duration(Duration.ofDays(2))).isEqualTo("2d");
        assertThat(ConfigPrinter.duration(Duration.ofMillis(1500))).isEqualTo("1500ms");
        assertThat(ConfigPrinter.duration(Duration.ofNanos(7))).isEqualTo("7ns");
        assertThat(ConfigPrinter.duration(Duration.ZERO)).isEqualTo("0s");
        assertThat(ConfigPrinter.size(64 * 1024)).isEqualTo("64 KiB");
        assertThat(ConfigPrinter.size(3L << 30)).isEqualTo("3 GiB");
        assertThat(ConfigPrinter.size(1000)).isEqualTo("1000 B");
    }
}
