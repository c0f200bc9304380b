package dev.forwarder.balancer;

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

class RandomTwoStrategyTest {

    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40000);

    private final BalancingStrategy strategy = BalancingStrategy.randomTwo();

    @Test
    void honoursWeightsWhileConnectionsAreHeld() {
        for (List<PoolMember> members : List.of(weighted(3, 1, 1), weighted(1, 1, 1, 1, 1), weighted(8, 4, 2, 1, 1))) {
            assertSharesFollowWeights(members, counts(members, picksHoldingEach(strategy, members, 10_000)), 0.02);
        }
    }

    @Test
    void honoursWeightsWhenEachConnectionEndsBeforeTheNext() {
        List<PoolMember> members = weighted(3, 1, 1);
        assertSharesFollowWeights(members, counts(members, picksEndingEach(strategy, members, 10_000)), 0.02);
    }

    @Test
    void honoursWeightsWhenTheOldestOfEightyConnectionsEndsAtEachPick() {
        List<PoolMember> members = weighted(4, 2, 1, 1);
        assertSharesFollowWeights(members, counts(members, picksWithOpenWindow(strategy, members, 10_000, 80)), 0.02);
    }

    @Test
    void picksTheLessLoadedOfTwoMembers() {
        List<PoolMember> members = weighted(1, 1);
        members.get(0).acquired();
        for (int i = 0; i < 1_000; i++) {
            assertThat(strategy.pick(members, CLIENT, List.of())).isSameAs(members.get(1));
        }
    }

    @Test
    void comparesLoadPerUnitOfWeight() {
        List<PoolMember> members = weighted(4, 1);
        for (int i = 0; i < 3; i++) {
            members.get(0).acquired();
        }
        // 3 / 4 is less than 1 / 1.
        members.get(1).acquired();
        for (int i = 0; i < 1_000; i++) {
            assertThat(strategy.pick(members, CLIENT, List.of())).isSameAs(members.get(0));
        }
    }

    @Test
    void neverPicksTheBusiestOfManyMembersWhileItIsTheOnlyBusyOne() {
        List<PoolMember> members = weighted(1, 1, 1, 1, 1);
        members.get(2).acquired();
        for (int i = 0; i < 1_000; i++) {
            assertThat(strategy.pick(members, CLIENT, List.of())).isNotSameAs(members.get(2));
        }
    }

    @Test
    void skipsAvoidedMembersWhileAnotherIsAvailable() {
        List<PoolMember> members = weighted(5, 1, 1, 1);
        List<PoolMember> avoid = List.of(members.get(0), members.get(3));
        List<PoolMember> picks = new ArrayList<>();
        for (int i = 0; i < 1_000; i++) {
            picks.add(strategy.pick(members, CLIENT, avoid));
        }
        assertThat(picks).containsOnly(members.get(1), members.get(2));
        assertThat(strategy.pick(members, CLIENT, List.of(members.get(0), members.get(1), members.get(2))))
                .isSameAs(members.get(3));
    }

    @Test
    void picksAnAvoidedMemberWhenEveryMemberIsAvoided() {
        List<PoolMember> members = weighted(2, 1);
        assertThat(strategy.pick(members, CLIENT, members)).isIn(members);
    }
}
