package dev.forwarder.balancer;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static dev.forwarder.balancer.Distribution.assertSharesFollowWeights;
import static dev.forwarder.balancer.TestMembers.counts;
import static dev.forwarder.balancer.TestMembers.weighted;
import static org.assertj.core.api.Assertions.assertThat;

class RoundRobinStrategyTest {

    private final BalancingStrategy strategy = BalancingStrategy.roundRobin();

    @Test
    void honoursWeightsWithinTwoPercent() {
        for (List<PoolMember> members : List.of(weighted(3, 1, 1), weighted(5, 2, 1, 1), weighted(256, 1, 17))) {
            List<PoolMember> picks = picks(members, 10_000);
            assertSharesFollowWeights(members, counts(members, picks), 0.02);
        }
    }

    @Test
    void neverPicksWeightThreeMemberThreeTimesInARow() {
        List<PoolMember> members = weighted(3, 1, 1);
        List<PoolMember> picks = picks(members, 10_000);
        for (int i = 2; i < picks.size(); i++) {
            assertThat(picks.get(i) == picks.get(i - 1) && picks.get(i) == picks.get(i - 2))
                    .as("picks %d to %d all went to %s", i - 2, i, picks.get(i))
                    .isFalse();
        }
    }

    @Test
    void spreadsHeavyMemberThroughTheCycle() {
        List<PoolMember> members = weighted(3, 1, 1);
        PoolMember heavy = members.get(0);
        assertThat(picks(members, 5)).containsExactly(heavy, members.get(1), heavy, members.get(2), heavy);
    }

    @Test
    void skipsAvoidedMembersWhileAnotherIsAvailable() {
        List<PoolMember> members = weighted(3, 1, 1);
        List<PoolMember> avoid = List.of(members.get(0), members.get(2));
        for (int i = 0; i < 1_000; i++) {
            assertThat(strategy.pick(members, null, avoid)).isSameAs(members.get(1));
        }
    }

    @Test
    void picksAnAvoidedMemberWhenEveryMemberIsAvoided() {
        List<PoolMember> members = weighted(1, 1);
        assertThat(strategy.pick(members, null, members)).isIn(members);
    }

    @Test
    void followsANewMemberList() {
        List<PoolMember> before = weighted(1, 1, 1);
        List<PoolMember> after = List.of(before.get(0), before.get(2));
        picks(before, 10);
        assertThat(picks(after, 100)).containsOnly(before.get(0), before.get(2));
    }

    private List<PoolMember> picks(List<PoolMember> members, int count) {
        List<PoolMember> picks = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            picks.add(strategy.pick(members, null, List.of()));
        }
        return picks;
    }
}
