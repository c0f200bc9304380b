package dev.forwarder.app.config;

import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The forwarder.admin block: what it reads, and what errors name. */
class AdminConfigTest {

    private static ForwarderConfig parse(String admin) {
        return ConfigLoader.parse("""
                forwarder {
                  admin { %s }
                  listeners { web { bind = "127.0.0.1:8080", pool = web } }
                  pools { web { backends = [ "127.0.0.1:9001" ] } }
                }
                """.formatted(admin), "admin.conf");
    }

    @Test
    void readsEnabledBindAndToken() {
        AdminConfig admin = parse("enabled = false, bind = \"[::1]:0\", token = \"abc\"").admin();

        assertThat(admin.enabled()).isFalse();
        assertThat(admin.bind()).isEqualTo(new InetSocketAddress("::1", 0));
        assertThat(admin.loopback()).isTrue();
        assertThat(admin.token()).isEqualTo("abc");
        assertThat(admin.toString()).doesNotContain("abc");
    }

    @Test
    void aWildcardBindIsNotLoopback() {
        assertThat(parse("bind = \"0.0.0.0:9901\"").admin().loopback()).isFalse();
    }

    @Test
    void errorsNameFileLineAndKey() {
        assertThatThrownBy(() -> parse("bind = \"nowhere\""))
                .hasMessageContaining("admin.conf:2").hasMessageContaining("forwarder.admin.bind");
        assertThatThrownBy(() -> parse("port = 9901"))
                .hasMessageContaining("forwarder.admin.port");
        assertThatThrownBy(() -> parse("enabled = maybe"))
                .hasMessageContaining("forwarder.admin.enabled");
        assertThatThrownBy(() -> parse("token = \"has space\""))
                .hasMessageContaining("forwarder.admin").hasMessageContaining("printable ASCII")
                .hasMessageNotContaining("has space");
    }

    @Test
    void thePrintedConfigReadsBackTheSame() {
        ForwarderConfig config = parse("bind = \"127.0.0.1:9999\"");
        assertThat(ConfigLoader.parse(ConfigPrinter.render(config), "printed")).isEqualTo(config);
    }
}
