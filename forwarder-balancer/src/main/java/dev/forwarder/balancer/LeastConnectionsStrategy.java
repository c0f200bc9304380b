package dev.forwarder.balancer;

import dev.forwarder.core.Backend;

import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Weighted least connections: the member with the fewest active connections per unit of weight. A tie goes to
 * one of the tied members at random, in proportion to its weight, drawn as the scan goes (weighted reservoir
 * sampling). So an idle pool is spread by weight, and two members tied below a busier one share the picks evenly
 * instead of the one after it in the list taking more. The pick shares nothing with other threads but the
 * members' counters.
 */
final class LeastConnectionsStrategy implements BalancingStrategy {

    @Override
    public PoolMember pick(List<PoolMember> members, SocketAddress client, List<? extends Backend> avoid) {
        PoolMember best = leastLoaded(members, avoid);
        // Every member already failed this connection: the least loaded of them is still the best guess.
        return best != null ? best : leastLoaded(members, List.of());
    }

    private static PoolMember leastLoaded(List<PoolMember> members, List<? extends Backend> avoid) {
        boolean avoiding = !avoid.isEmpty();
        PoolMember best = null;
        long bestActive = 0;
        long bestWeight = 1;
        int tiedWeight = 0;
        // One draw from the shared generator per pick, then a local LCG step per member: its high 32 bits scaled
        // by multiplication need no division (the bias, under 2^-20 here, does not matter).
        long random = ThreadLocalRandom.current().nextLong();
        for (int i = 0, n = members.size(); i < n; i++) {
            PoolMember candidate = members.get(i);
            if (avoiding && avoid.contains(candidate)) {
                continue;
            }
            long active = candidate.activeConnections();
            int weight = candidate.scaledWeight();
            // Compares active / weight with bestActive / bestWeight, without division.
            long difference = best == null ? -1 : active * bestWeight - bestActive * weight;
            if (difference < 0) {
                best = candidate;
                bestActive = active;
                bestWeight = weight;
                tiedWeight = weight;
            } else {
                // Whether a member ties is a coin toss in a busy pool, so this part has no branch to mispredict
                // (the JIT turns the selects into conditional moves); a tie has the same ratio as the best, so
                // only the member changes.
                boolean tie = difference == 0;
                tiedWeight += tie ? weight : 0;
                random = random * 6364136223846793005L + 1442695040888963407L;
                boolean take = tie & ((random >>> 32) * tiedWeight >>> 32) < weight;
                best = take ? candidate : best;
            }
        }
        return best;
    }

    @Override
    public String toString() {
        return "least-connections";
    }
}
