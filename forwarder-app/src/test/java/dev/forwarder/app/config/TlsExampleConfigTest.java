package dev.forwarder.app.config;

import dev.forwarder.core.testing.TestCertificates;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** config/tls.conf stays valid, with certificates made where its comments say (certs/ next to it). */
class TlsExampleConfigTest {

    @TempDir
    Path dir;

    @Test
    void theTlsExampleLoadsWithItsCertificatesNextToIt() throws Exception {
        Path file = dir.resolve("tls.conf");
        Files.copy(Path.of("..", "config", "tls.conf"), file);
        TestCertificates.create(dir.resolve("certs"), "forwarder");

        ForwarderConfig config = ConfigLoader.load(file);

        ListenerTls tls = config.listeners().get("https").tls();
        assertThat(tls.enabled()).isTrue();
        assertThat(tls.certificate()).isEqualTo(dir.resolve("certs/forwarder.pem"));
        assertThat(tls.sniPools()).isEqualTo(Map.of("api.example.com", "api"));
        assertThat(tls.alpnPools()).isEqualTo(Map.of("h2", "grpc"));
        assertThat(tls.alpn()).isEqualTo(List.of("h2", "http/1.1"));
        PoolTls origination = config.pools().get("api").tls();
        assertThat(origination.enabled()).isTrue();
        assertThat(origination.verify()).isTrue();
        assertThat(origination.caFile()).isEqualTo(dir.resolve("certs/forwarder-ca.pem"));
        assertThat(config.pools().get("web").tls().enabled()).isFalse();
        // What check prints reads back as the same config (the paths as resolved).
        assertThat(ConfigLoader.parse(ConfigPrinter.render(config), "printed")).isEqualTo(config);
    }
}
