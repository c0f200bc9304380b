package dev.forwarder.balancer;

import dev.forwarder.core.Backend;
import dev.forwarder.core.ChoiceNote;

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

    /** a = the picked member's active connections, b = members compared, c = the most active among them. */
    private static final ChoiceNote.Reason REASON = (first, second, a, b, c) -> "least-connections active=" + a
            + " lowest_of=" + b + " highest=" + c;

    @Override
    public PoolMember pick(List<PoolMember> members, SocketAddress client, List<? extends Backend> avoid) {
        return pick(members, client, avoid, ChoiceNote.NONE);
    }

    @Override
    public PoolMember pick(List<PoolMember> members, SocketAddress client, List<? extends Backend> avoid,
            ChoiceNote note) {
        PoolMember best = leastLoaded(members, avoid, note);
        // Every member already failed this connection: the least loaded of them is still the best guess.
        return best != null ? best : leastLoaded(members, List.of(), note);
    }

    private static PoolMember leastLoaded(List<PoolMember> members, List<? extends Backend> avoid, ChoiceNote note) {
        boolean avoiding = !avoid.isEmpty();
        PoolMember best = null;
        long bestActive = 0;
        long bestWeight = 1;
        int tiedWeight = 0;
        // One draw from the shared generator per pick, then a local LCG step per member: its high 32 bits scaled
        // by multiplication need no division (the bias, under 2^-20 here, does not matter).
        long random = ThreadLocalRandom.current().nextLong();
        long highest = 0;
        int compared = 0;
        for (int i = 0, n = members.size(); i < n; i++) {
            PoolMember candidate = members.get(i);
            if (avoiding && avoid.contains(candidate)) {
                continue;
            }
            long active = candidate.activeConnections();
            int weight = candidate.scaledWeight();
            highest = Math.max(highest, active);
            compared++;
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
        if (best != null) {
            note.note(REASON, null, null, bestActive, compared, highest);
        }
        return best;
    }

    @Override
    public String toString() {
        return "least-connections";
    }
}
