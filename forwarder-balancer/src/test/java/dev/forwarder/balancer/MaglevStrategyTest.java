package dev.forwarder.balancer;

import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static dev.forwarder.balancer.Distribution.assertSharesFollowWeights;
import static dev.forwarder.balancer.TestMembers.clients;
import static dev.forwarder.balancer.TestMembers.member;
import static dev.forwarder.balancer.TestMembers.weighted;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class MaglevStrategyTest {

    private static final Logger log = LoggerFactory.getLogger(MaglevStrategyTest.class);

    private final BalancingStrategy strategy = BalancingStrategy.maglev();

    @Test
    void sendsAClientToTheSameBackendFromIndependentlyBuiltPools() {
        List<BackendSpec> specs = TestMembers.specs(5);
        List<BackendSpec> reversed = new ArrayList<>(specs);
        Collections.reverse(reversed);
        Pool first = Pool.of("first", BalancingStrategy.maglev(), specs);
        Pool second = Pool.of("second", BalancingStrategy.named("maglev"), reversed);
        for (InetSocketAddress client : clients(10_000, 1)) {
            String a = first.choose(client, List.of()).name();
            String b = second.choose(client, List.of()).name();
            assertThat(b).as("backend for %s", client).isEqualTo(a);
        }
    }

    @Test
    void hashesTheClientAddressNotItsPort() {
        List<PoolMember> members = weighted(1, 1, 1, 1, 1);
        for (InetSocketAddress client : clients(1_000, 2)) {
            PoolMember expected = strategy.pick(members, client, List.of());
            for (int port : new int[] {1, 40000, 65535}) {
                InetSocketAddress samePeer = new InetSocketAddress(client.getAddress(), port);
                assertThat(strategy.pick(members, samePeer, List.of())).isSameAs(expected);
            }
        }
    }

    @Test
    void movesAboutOneFifthOfClientsWhenOneOfFiveBackendsIsRemoved() {
        List<PoolMember> five = weighted(1, 1, 1, 1, 1);
        PoolMember removed = five.get(2);
        List<PoolMember> four = five.stream().filter(m -> m != removed).toList();
        InetSocketAddress[] clients = clients(100_000, 3);
        int moved = 0;
        int onRemoved = 0;
        for (InetSocketAddress client : clients) {
            PoolMember before = strategy.pick(five, client, List.of());
            PoolMember after = strategy.pick(four, client, List.of());
            if (before == removed) {
                onRemoved++;
            }
            if (before != after) {
                moved++;
            }
        }
        double movedShare = (double) moved / clients.length;
        double extraShare = (double) (moved - onRemoved) / clients.length;
        log.info("maglev key movement: removing 1 of 5 backends moved keys={} of {} share={} "
                        + "(on the removed backend {}, moved between the others {})", moved, clients.length,
                String.format("%.4f", movedShare), String.format("%.4f", (double) onRemoved / clients.length),
                String.format("%.4f", extraShare));
        assertThat(movedShare).as("share of keys moved (on the removed backend %d)", onRemoved)
                .isBetween(0.18, 0.25);
        assertThat(extraShare).as("share of keys moved between surviving backends").isLessThan(0.05);
    }

    @Test
    void honoursWeightsWithinTwoPercent() {
        List<PoolMember> members = weighted(3, 1, 1);
        Map<PoolMember, Integer> counts = new HashMap<>();
        for (InetSocketAddress client : clients(10_000, 4)) {
            counts.merge(strategy.pick(members, client, List.of()), 1, Integer::sum);
        }
        int[] byMember = members.stream().mapToInt(m -> counts.getOrDefault(m, 0)).toArray();
        assertSharesFollowWeights(members, byMember, 0.02);
    }

    @Test
    void givesEachMemberSlotsInProportionToItsWeight() {
        List<PoolMember> members = weighted(8, 4, 2, 1, 1);
        MaglevTable table = MaglevTable.build(members);
        int[] slots = new int[members.size()];
        for (int slot = 0; slot < table.size(); slot++) {
            slots[members.indexOf(table.memberAt(slot))]++;
        }
        for (int i = 0; i < members.size(); i++) {
            assertThat((double) slots[i] / table.size()).isCloseTo(members.get(i).weight() / 16.0, within(0.001));
        }
    }

    @Test
    void sendsAClientWhoseBackendFailedToTheSameSecondChoiceEveryTime() {
        List<PoolMember> members = weighted(1, 1, 1, 1, 1);
        for (InetSocketAddress client : clients(1_000, 5)) {
            PoolMember first = strategy.pick(members, client, List.of());
            PoolMember second = strategy.pick(members, client, List.of(first));
            assertThat(second).isNotSameAs(first);
            assertThat(strategy.pick(members, client, List.of(first))).isSameAs(second);
            assertThat(strategy.pick(members, client, List.of(first, second))).isNotIn(first, second);
        }
    }

    @Test
    void picksTheClientsOwnBackendWhenEveryMemberIsAvoided() {
        List<PoolMember> members = weighted(1, 1);
        InetSocketAddress client = clients(1, 6)[0];
        PoolMember own = strategy.pick(members, client, List.of());
        assertThat(strategy.pick(members, client, members)).isSameAs(own);
    }

    @Test
    void spreadsIpv6Clients() {
        List<PoolMember> members = weighted(1, 1);
        Map<PoolMember, Integer> counts = new HashMap<>();
        for (int i = 0; i < 10_000; i++) {
            byte[] address = new byte[16];
            address[0] = 0x20;
            address[1] = 0x01;
            address[14] = (byte) (i >>> 8);
            address[15] = (byte) i;
            InetSocketAddress client = new InetSocketAddress(TestMembers.address(address), 5000);
            counts.merge(strategy.pick(members, client, List.of()), 1, Integer::sum);
        }
        assertThat(counts.get(members.get(0))).isBetween(4_700, 5_300);
    }

    @Test
    void buildsTheTableOncePerMemberList() {
        List<PoolMember> members = List.of(member(9001, 1), member(9002, 1));
        SnapshotCache<MaglevTable> cache = new SnapshotCache<>(MaglevTable::build);
        MaglevTable table = cache.get(members);
        List<PoolMember> backups = List.of(member(9003, 1));
        MaglevTable backupTable = cache.get(backups);
        assertThat(cache.get(members)).isSameAs(table);
        assertThat(cache.get(backups)).isSameAs(backupTable);
        assertThat(cache.get(List.copyOf(new ArrayList<>(members)))).isNotSameAs(table);
    }
}
