package dev.forwarder.core.relay;

import dev.forwarder.core.Addresses;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class AccessLineTest {

    @Test
    void writesInstantsAsInstantDoesInUtcWithMillis() {
        long[] samples = {1L, 999L, 86_399_999L, 951_782_400_000L /* 2000-02-29 */, 1_796_172_595_495L,
                4_102_444_799_999L};
        for (long millis : samples) {
            StringBuilder line = new StringBuilder();
            AccessLine.instant(line, millis);
            assertThat(Instant.parse(line).toEpochMilli()).as(line.toString()).isEqualTo(millis);
            assertThat(line.toString()).hasSize("2026-11-21T06:52:13.858Z".length());
        }
        StringBuilder none = new StringBuilder();
        AccessLine.instant(none, 0);
        assertThat(none.toString()).isEqualTo("-");
    }

    @Test
    void writesAddressesAsAddressesFormat() {
        for (InetSocketAddress address : new InetSocketAddress[] {new InetSocketAddress("127.0.0.1", 8080),
                new InetSocketAddress("255.0.10.200", 1), new InetSocketAddress("::1", 443),
                InetSocketAddress.createUnresolved("example.org", 80)}) {
            StringBuilder line = new StringBuilder();
            AccessLine.address(line, address);
            assertThat(line.toString()).isEqualTo(Addresses.format(address));
        }
    }

    @Test
    void writesMillisWithThreeDecimalsOrADash() {
        StringBuilder line = new StringBuilder();
        AccessLine.millis(line, 1_000, 1_000 + 142_999);
        line.append(' ');
        AccessLine.millis(line, 5, 5 + 12_003_000_000L);
        line.append(' ');
        AccessLine.millis(line, 5, 0);
        assertThat(line.toString()).isEqualTo("0.142 12003.000 -");
    }

    @Test
    void theBuilderIsReusedEmpty() {
        StringBuilder first = AccessLine.builder().append("x");
        assertThat(AccessLine.builder()).isSameAs(first).isEmpty();
    }
}
