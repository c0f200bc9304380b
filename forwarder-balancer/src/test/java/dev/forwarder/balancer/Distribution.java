package dev.forwarder.balancer;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Picks under three connection patterns, and asserts that picks were shared out by weight. */
final class Distribution {

    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40000);

    private Distribution() {
    }

    /** {@code count} picks, each connection held until the end. */
    static List<PoolMember> picksHoldingEach(BalancingStrategy strategy, List<PoolMember> members, int count) {
        return picksWithOpenWindow(strategy, members, count, Integer.MAX_VALUE);
    }

    /** {@code count} picks, each connection ended before the next pick. */
    static List<PoolMember> picksEndingEach(BalancingStrategy strategy, List<PoolMember> members, int count) {
        List<PoolMember> picks = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            picks.add(strategy.pick(members, CLIENT, List.of()));
        }
        return picks;
    }

    /** {@code count} picks while at most {@code window} connections stay open: the oldest ends at each pick. */
    static List<PoolMember> picksWithOpenWindow(BalancingStrategy strategy, List<PoolMember> members, int count,
            int window) {
        Deque<PoolMember> open = new ArrayDeque<>();
        List<PoolMember> picks = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            if (open.size() == window) {
                open.removeFirst().releasedOne();
            }
            PoolMember pick = strategy.pick(members, CLIENT, List.of());
            pick.acquired();
            open.addLast(pick);
            picks.add(pick);
        }
        return picks;
    }

    /** Each member's share of {@code counts} is within {@code tolerance} (a fraction, e.g. 0.02) of its weight's. */
    static void assertSharesFollowWeights(List<PoolMember> members, int[] counts, double tolerance) {
        long totalWeight = 0;
        long picks = 0;
        for (int i = 0; i < members.size(); i++) {
            totalWeight += members.get(i).weight();
            picks += counts[i];
        }
        for (int i = 0; i < members.size(); i++) {
            double expected = (double) members.get(i).weight() / totalWeight;
            double actual = (double) counts[i] / picks;
            assertThat(actual)
                    .as("share of %s (weight %d) in %d picks", members.get(i), members.get(i).weight(), picks)
                    .isCloseTo(expected, within(tolerance));
        }
    }
}
