package dev.forwarder.balancer;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Asserts that picks were shared out by weight. */
final class Distribution {

    private Distribution() {
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
