package dev.forwarder.app.config;

import dev.forwarder.app.capture.CaptureMode;
import dev.forwarder.app.capture.CaptureSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The {@code capture} block of a listener and of listener-defaults: read, defaulted, checked, printed back. */
class CaptureConfigTest {

    @TempDir
    Path dir;

    private ConfigError errorAt(String text, String marker, String key) {
        Path file = ConfigFiles.write(dir, "fwd.conf", text);
        ConfigError error = catchThrowableOfType(ConfigError.class, () -> ConfigLoader.load(file));
        assertThat(error).as("expected a config error for:%n%s", text).isNotNull();
        assertThat(error.line()).isEqualTo(ConfigFiles.lineOf(text, marker));
        assertThat(error.key()).isEqualTo(key);
        assertThat(error.file()).isEqualTo(file.toString());
        return error;
    }

    @Test
    void listenerCaptureOverridesDefaultsKeyByKey() {
        ForwarderConfig config = ConfigLoader.parse("""
                forwarder {
                  listener-defaults { capture { max-bytes = 64 KiB, max-files = 3 } }
                  listeners {
                    web { bind = "127.0.0.1:0", pool = web, capture { mode = pcap, dir = "/tmp/caps" } }
                    other { bind = "127.0.0.1:0", pool = web }
                  }
                  pools { web { backends = [ "127.0.0.1:9001" ] } }
                }
                """, "test");

        CaptureSettings web = config.listeners().get("web").capture();
        assertThat(web).isEqualTo(new CaptureSettings(CaptureMode.PCAP, 64 * 1024, Path.of("/tmp/caps"),
                64L << 20, 3));
        assertThat(config.listeners().get("other").capture())
                .isEqualTo(new CaptureSettings(CaptureMode.OFF, 64 * 1024, Path.of("captures"), 64L << 20, 3));
    }

    @Test
    void badModeNamesFileLineAndKey() {
        String text = ConfigFiles.example(", capture { mode = wireshark }", "");
        assertThat(errorAt(text, "wireshark", "forwarder.listeners.web.capture.mode").problem())
                .isEqualTo("\"wireshark\" is not one of: off, hexdump, pcap");
    }

    @Test
    void summaryIsOffOrOnInDefaultsAndPerListener() {
        ForwarderConfig config = ConfigLoader.parse("""
                forwarder {
                  listener-defaults { capture { summary = on } }
                  listeners {
                    web { bind = "127.0.0.1:0", pool = web }
                    quiet { bind = "127.0.0.1:0", pool = web, capture { summary = off } }
                  }
                  pools { web { backends = [ "127.0.0.1:9001" ] } }
                }
                """, "test");
        assertThat(config.listeners().get("web").capture().summary()).isTrue();
        assertThat(config.listeners().get("web").capture().mode()).isEqualTo(CaptureMode.OFF);
        assertThat(config.listeners().get("quiet").capture().summary()).isFalse();
        String text = ConfigFiles.example(", capture { summary = yes }", "");
        assertThat(errorAt(text, "summary", "forwarder.listeners.web.capture.summary").problem())
                .isEqualTo("\"yes\" is not one of: off, on");
    }

    @Test
    void typoInTheCaptureBlock() {
        String text = ConfigFiles.example(", capture { max-byte = 1 KiB }", "");
        assertThat(errorAt(text, "max-byte", "forwarder.listeners.web.capture.max-byte").problem())
                .startsWith("unknown key, did you mean max-bytes?");
    }

    @Test
    void sizesOutOfRangeInDefaultsNameTheDefaultsKey() {
        String text = """
                forwarder {
                  listener-defaults {
                    capture { max-file-size = 1 KiB }
                  }
                  listeners { web { bind = "127.0.0.1:8080", pool = web } }
                  pools { web { backends = [ "127.0.0.1:9001" ] } }
                }
                """;
        assertThat(errorAt(text, "max-file-size", "forwarder.listener-defaults.capture.max-file-size").problem())
                .isEqualTo("\"1 KiB\" is out of range (expected: 64 KiB - 1024 GiB)");
        String zero = ConfigFiles.example(", capture { max-bytes = 0 }", "");
        assertThat(errorAt(zero, "max-bytes", "forwarder.listeners.web.capture.max-bytes").problem())
                .startsWith("0 is out of range");
        String files = ConfigFiles.example(", capture { max-files = 0 }", "");
        assertThat(errorAt(files, "max-files", "forwarder.listeners.web.capture.max-files").problem())
                .startsWith("0 is out of range (expected: 1-100000)");
        String blank = ConfigFiles.example(", capture { dir = \"\" }", "");
        assertThat(errorAt(blank, "dir", "forwarder.listeners.web.capture.dir").problem()).contains("is empty");
    }

    @Test
    void checkPrintsTheCaptureBlockBackReadably() {
        ForwarderConfig config = ConfigLoader.parse(ConfigFiles.example(
                ", capture { mode = hexdump, max-bytes = 4 KiB }", ""), "test");
        String printed = ConfigPrinter.render(config);

        assertThat(printed).contains("mode = hexdump", "max-bytes = 4 KiB", "dir = \"captures\"");
        assertThat(ConfigLoader.parse(printed, "printed")).isEqualTo(config);
    }

    @Test
    void exampleCaptureConfigIsValid() {
        ForwarderConfig config = ConfigLoader.load(Path.of("..", "config", "capture.conf"));

        assertThat(config.listeners().get("web").capture().mode()).isEqualTo(CaptureMode.PCAP);
        assertThat(config.listeners().get("web").capture().maxBytes()).isEqualTo(256 * 1024);
        assertThat(config.listeners().get("cache").capture().mode()).isEqualTo(CaptureMode.HEXDUMP);
        assertThat(config.listeners().get("cache").capture().maxBytes()).isEqualTo(4 * 1024);
        assertThat(config.listeners().values()).allMatch(listener -> listener.capture().summary());
        assertThat(config.listeners().get("grpc").capture().mode()).isEqualTo(CaptureMode.OFF);
    }
}
