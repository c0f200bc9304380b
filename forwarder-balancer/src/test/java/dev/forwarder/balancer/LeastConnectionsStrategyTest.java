package dev.forwarder.balancer;

import dev.forwarder.core.Backend;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;

import static dev.forwarder.balancer.Distribution.assertSharesFollowWeights;
import static dev.forwarder.balancer.Distribution.picksEndingEach;
import static dev.forwarder.balancer.Distribution.picksHoldingEach;
import static dev.forwarder.balancer.Distribution.picksWithOpenWindow;
import static dev.forwarder.balancer.TestMembers.counts;
import static dev.forwarder.balancer.TestMembers.weighted;
import static org.assertj.core.api.Assertions.assertThat;

class LeastConnectionsStrategyTest {

    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40000);

    private final BalancingStrategy strategy = BalancingStrategy.leastConnections();

    @Test
    void sendsTheNextTenConnectionsToTheOtherBackendWhileOneHoldsTen() {
        Pool pool = Pool.of("p", strategy, TestMembers.specs(2));
        PoolMember busy = pool.members().get(0);
        PoolMember idle = pool.members().get(1);
        for (int i = 0; i < 10; i++) {
            busy.acquired();
        }
        List<Backend> next = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            next.add(pool.choose(CLIENT, List.of()));
        }
        assertThat(next).containsOnly(idle);
        assertThat(busy.activeConnections()).isEqualTo(10);
        assertThat(idle.activeConnections()).isEqualTo(10);
    }

    @Test
    void sharesTiesInsteadOfFavouringOneMember() {
        List<PoolMember> members = weighted(1, 1, 1);
        List<PoolMember> picks = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            picks.add(strategy.pick(members, CLIENT, List.of()));
        }
        assertSharesFollowWeights(members, counts(members, picks), 0.02);
    }

    @Test
    void sharesTiesEvenlyAmongTheLeastLoadedOnly() {
        List<PoolMember> members = weighted(1, 1, 1);
        members.get(1).acquired();
        List<PoolMember> picks = new ArrayList<>();
        for (int i = 0; i < 10_000; i++) {
            picks.add(strategy.pick(members, CLIENT, List.of()));
        }
        int[] counts = counts(members, picks);
        assertThat(counts[1]).isZero();
        assertThat(counts[0]).isBetween(4_800, 5_200);
    }

    @Test
    void honoursWeightsWhileConnectionsAreHeld() {
        List<PoolMember> members = weighted(3, 1, 1);
        assertSharesFollowWeights(members, counts(members, picksHoldingEach(strategy, members, 10_000)), 0.02);
    }

    @Test
    void honoursWeightsWhenEachConnectionEndsBeforeTheNext() {
        List<PoolMember> members = weighted(3, 1, 1);
        assertSharesFollowWeights(members, counts(members, picksEndingEach(strategy, members, 10_000)), 0.02);
    }

    @Test
    void honoursWeightsWhenTheOldestOfEightyConnectionsEndsAtEachPick() {
        // Shares follow the connections each member holds, so they are only as fine as one connection in the
        // window: with 20 open, a weight-1 member's share moves in steps of 5%.
        List<PoolMember> members = weighted(4, 2, 1, 1);
        assertSharesFollowWeights(members, counts(members, picksWithOpenWindow(strategy, members, 10_000, 80)), 0.02);
    }

    @Test
    void skipsAvoidedMembersEvenWhenTheyAreLeastLoaded() {
        List<PoolMember> members = weighted(1, 1, 1);
        members.get(1).acquired();
        members.get(2).acquired();
        for (int i = 0; i < 100; i++) {
            assertThat(strategy.pick(members, CLIENT, List.of(members.get(0)))).isNotSameAs(members.get(0));
        }
    }

    @Test
    void picksTheLeastLoadedAvoidedMemberWhenEveryMemberIsAvoided() {
        List<PoolMember> members = weighted(1, 1);
        members.get(0).acquired();
        assertThat(strategy.pick(members, CLIENT, members)).isSameAs(members.get(1));
    }
}
