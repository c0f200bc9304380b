package dev.forwarder.app.capture;

import dev.forwarder.app.TestConnection;
import dev.forwarder.core.Backend;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;

import static org.assertj.core.api.Assertions.assertThat;

class TapFilterTest {

    private record Member(String name, InetSocketAddress address) implements Backend {
    }

    private static final Member B1 = new Member("127.0.0.1:9001", new InetSocketAddress("127.0.0.1", 9001));
    private static final TestConnection CONNECTED =
            new TestConnection("7", new InetSocketAddress("10.0.0.5", 40000), B1);
    private static final TestConnection CONNECTING =
            new TestConnection("8", new InetSocketAddress("10.0.0.5", 40001), null);
    private static final TestConnection V6 = new TestConnection("9", new InetSocketAddress("::1", 40002), B1);

    @Test
    void matchesByClientIpOrIpAndPortBackendAndConnection() {
        assertThat(new TapFilter(null, null, null, null)).accepts(CONNECTED, CONNECTING, V6);
        assertThat(new TapFilter(null, "10.0.0.5", null, null)).accepts(CONNECTED, CONNECTING).rejects(V6);
        assertThat(new TapFilter(null, "10.0.0.5:40000", null, null)).accepts(CONNECTED).rejects(CONNECTING);
        assertThat(new TapFilter(null, "10.0.0.50", null, null)).rejects(CONNECTED);
        assertThat(new TapFilter(null, "::1", null, null)).accepts(V6).rejects(CONNECTED);
        assertThat(new TapFilter(null, "[0:0:0:0:0:0:0:1]:40002", null, null)).accepts(V6);
        assertThat(new TapFilter(null, "[::1]:40003", null, null)).rejects(V6);
        assertThat(new TapFilter(null, "10.0.0.5:port", null, null)).rejects(CONNECTED);
        assertThat(new TapFilter(null, null, "127.0.0.1:9001", null)).accepts(CONNECTED, V6)
                .as("no backend yet: tested again once connected").rejects(CONNECTING);
        assertThat(new TapFilter(null, null, "127.0.0.1:9002", null)).rejects(CONNECTED);
        assertThat(new TapFilter(null, null, null, "7")).accepts(CONNECTED).rejects(CONNECTING, V6);
        assertThat(new TapFilter(null, "10.0.0.5", "127.0.0.1:9001", "8")).rejects(CONNECTED, CONNECTING);
    }

    @Test
    void describesTheSetParts() {
        assertThat(new TapFilter(null, null, null, null)).hasToString("all");
        assertThat(new TapFilter("web", null, "127.0.0.1:9001", "7"))
                .hasToString("listener=web backend=127.0.0.1:9001 conn=7");
    }

    /** /api/connections matches the snapshots' formatted addresses the same way (::1 found [0:0:0:0:0:0:0:1]). */
    @Test
    void matchesAFormattedAddressInAnySpelling() {
        String v6 = "[0:0:0:0:0:0:0:1]:40002";
        assertThat(TapFilter.clientMatches("::1", v6)).isTrue();
        assertThat(TapFilter.clientMatches("[::1]:40002", v6)).isTrue();
        assertThat(TapFilter.clientMatches("[::1]:40003", v6)).isFalse();
        assertThat(TapFilter.clientMatches("::2", v6)).isFalse();
        assertThat(TapFilter.clientMatches("10.0.0.5", "10.0.0.5:40000")).isTrue();
        assertThat(TapFilter.clientMatches("10.0.0.5:40000", "10.0.0.5:40000")).isTrue();
        assertThat(TapFilter.clientMatches("10.0.0.50", "10.0.0.5:40000")).isFalse();
        assertThat(TapFilter.clientMatches("10.0.0.5:4", "10.0.0.5:40000")).isFalse();
    }
}
