package dev.forwarder.app.loadtest;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class QuantitiesTest {

    @Test
    void durationsNeedAUnit() {
        assertThat(Quantities.duration("10s")).isEqualTo(Duration.ofSeconds(10));
        assertThat(Quantities.duration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Quantities.duration("1.5s")).isEqualTo(Duration.ofMillis(1500));
        assertThat(Quantities.duration("2m")).isEqualTo(Duration.ofMinutes(2));
        assertThat(Quantities.duration("250us")).isEqualTo(Duration.ofNanos(250_000));
        assertThatThrownBy(() -> Quantities.duration("10")).hasMessageContaining("\"10\" is not a duration");
        assertThatThrownBy(() -> Quantities.duration("-1s")).hasMessageContaining("is not a duration");
    }

    @Test
    void sizesInBytesOrBinaryUnits() {
        assertThat(Quantities.size("100")).isEqualTo(100);
        assertThat(Quantities.size("100B")).isEqualTo(100);
        assertThat(Quantities.size("1KiB")).isEqualTo(1024);
        assertThat(Quantities.size("64 KiB")).isEqualTo(65536);
        assertThat(Quantities.size("1mib")).isEqualTo(1 << 20);
        assertThatThrownBy(() -> Quantities.size("1KB")).hasMessageContaining("is not a size");
        assertThatThrownBy(() -> Quantities.size("4GiB")).hasMessageContaining("too large");
    }

    @Test
    void addressesAreHostColonPort() {
        assertThat(Quantities.address("127.0.0.1:7000").getHostString()).isEqualTo("127.0.0.1");
        assertThat(Quantities.address("127.0.0.1:7000").getPort()).isEqualTo(7000);
        assertThat(Quantities.address("[::1]:80").getHostString()).isEqualTo("::1");
        assertThatThrownBy(() -> Quantities.address("localhost")).hasMessageContaining("is not an address");
        assertThatThrownBy(() -> Quantities.address("h:70000")).hasMessageContaining("is not an address");
    }
}
