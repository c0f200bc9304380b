package dev.forwarder.core.access;

import dev.forwarder.core.ConnectionObserver;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The gate's counting without sockets: limits, their release at close, the bucket, the bounded table. */
class ClientLimitsTest {

    private static InetSocketAddress client(String ip) throws Exception {
        return new InetSocketAddress(InetAddress.getByName(ip), 40000);
    }

    @Test
    void perClientLimitCountsOpenConnectionsAndReleasesThemAtClose() throws Exception {
        AccessGate gate = new AccessGate("t");
        AccessSettings rules = AccessSettings.NONE.withLimits(0, 2, 0);
        List<EmbeddedChannel> open = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            EmbeddedChannel channel = new EmbeddedChannel();
            assertThat(gate.admit(channel, client("10.0.0.1"), rules, ConnectionObserver.NOOP)).isNull();
            open.add(channel);
        }
        assertThat(gate.admit(new EmbeddedChannel(), client("10.0.0.1"), rules, ConnectionObserver.NOOP))
                .isEqualTo(RejectReason.MAX_CONNECTIONS_PER_CLIENT);
        assertThat(gate.admit(new EmbeddedChannel(), client("10.0.0.2"), rules, ConnectionObserver.NOOP)).isNull();
        open.get(0).close();
        assertThat(gate.admit(new EmbeddedChannel(), client("10.0.0.1"), rules, ConnectionObserver.NOOP)).isNull();
    }

    @Test
    void listenerLimitCountsEveryClient() throws Exception {
        AccessGate gate = new AccessGate("t");
        AccessSettings rules = AccessSettings.NONE.withLimits(2, 0, 0);
        EmbeddedChannel first = new EmbeddedChannel();
        assertThat(gate.admit(first, client("10.0.0.1"), rules, ConnectionObserver.NOOP)).isNull();
        assertThat(gate.admit(new EmbeddedChannel(), client("10.0.0.2"), rules, ConnectionObserver.NOOP)).isNull();
        assertThat(gate.admit(new EmbeddedChannel(), client("10.0.0.3"), rules, ConnectionObserver.NOOP))
                .isEqualTo(RejectReason.MAX_CONNECTIONS);
        first.close();
        assertThat(gate.openConnections()).isEqualTo(1);
        assertThat(gate.admit(new EmbeddedChannel(), client("10.0.0.3"), rules, ConnectionObserver.NOOP)).isNull();
    }

    @Test
    void tokenBucketAllowsABurstOfOneSecondThenOneEveryInterval() throws Exception {
        ClientTable.Entry entry = new ClientTable.Entry(InetAddress.getByName("10.0.0.1"), 0);
        long interval = 100_000_000L;
        long tolerance = interval * 9;
        int allowed = 0;
        for (int i = 0; i < 20; i++) {
            allowed += entry.tryTake(0, interval, tolerance) ? 1 : 0;
        }
        assertThat(allowed).isEqualTo(10);
        assertThat(entry.tryTake(interval - 1, interval, tolerance)).isFalse();
        assertThat(entry.tryTake(interval, interval, tolerance)).isTrue();
        assertThat(entry.tryTake(interval, interval, tolerance)).isFalse();
    }

    @Test
    void theTableIsBoundedAndReusesIdleSlots() throws Exception {
        ClientTable table = new ClientTable(16);
        int tracked = 0;
        for (int i = 0; i < 1000; i++) {
            ClientTable.Entry entry = table.entry(InetAddress.getByName("10.0." + (i / 250) + "." + (i % 250)), 0);
            if (entry != null) {
                // Each keeps a connection open: its slot cannot be taken over.
                assertThat(entry.tryOpen(0)).isEqualTo(1);
                tracked++;
            }
        }
        assertThat(tracked).isLessThanOrEqualTo(table.capacity());
        // Idle entries (no connection, full bucket) give their slots to new clients.
        ClientTable idle = new ClientTable(16);
        for (int i = 0; i < 1000; i++) {
            assertThat(idle.entry(InetAddress.getByName("10.1." + (i / 250) + "." + (i % 250)), 0)).isNotNull();
        }
    }

    @Test
    void rejectionLogWritesOneLineASecondPerClient() throws Exception {
        RejectionLog log = new RejectionLog();
        InetAddress a = InetAddress.getByName("10.0.0.1");
        long second = 5_000_000_000L;
        assertThat(log.claim(a, second)).isEqualTo(0);
        for (int i = 0; i < 50; i++) {
            assertThat(log.claim(a, second + i * 10_000_000L)).isEqualTo(-1);
        }
        assertThat(log.claim(a, second + 1_000_000_000L)).isEqualTo(50);
    }
}
