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
        for (int i = 0, n = members.size(); i < n; i++) {
            PoolMember candidate = members.get(i);
            if (avoiding && avoid.contains(candidate)) {
                continue;
            }
            long active = candidate.activeConnections();
            int weight = candidate.weight();
            // Compares active / weight with bestActive / bestWeight, without division.
            long difference = best == null ? -1 : active * bestWeight - bestActive * weight;
            if (difference < 0) {
                best = candidate;
                bestActive = active;
                bestWeight = weight;
                tiedWeight = weight;
            } else if (difference == 0) {
                tiedWeight += weight;
                if (ThreadLocalRandom.current().nextInt(tiedWeight) < weight) {
                    best = candidate;
                    bestActive = active;
                    bestWeight = weight;
                }
            }
        }
        return best;
    }

    @Override
    public String toString() {
        return "least-connections";
    }
}
