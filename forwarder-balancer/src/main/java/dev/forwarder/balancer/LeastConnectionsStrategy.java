package dev.forwarder.balancer;

import dev.forwarder.core.Backend;

import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Weighted least connections: the member with the fewest active connections per unit of weight. Like nginx's
 * {@code least_conn}, ties are settled by weighted round-robin: each scan starts at the next member of the
 * smooth round-robin cycle and the first least-loaded member from there wins. An idle pool (every count zero)
 * is therefore spread exactly by weight, and equally loaded members take turns.
 */
final class LeastConnectionsStrategy implements BalancingStrategy {

    private final AtomicLong next = new AtomicLong();
    private final SnapshotCache<Snapshot> snapshots = new SnapshotCache<>(Snapshot::new);

    @Override
    public PoolMember pick(List<PoolMember> members, SocketAddress client, List<? extends Backend> avoid) {
        Snapshot snapshot = snapshots.get(members);
        int[] starts = snapshot.starts;
        int start = starts[(int) Long.remainderUnsigned(next.getAndIncrement(), starts.length)];
        PoolMember best = leastLoaded(snapshot.members, start, avoid);
        // Every member already failed this connection: the least loaded of them is still the best guess.
        return best != null ? best : leastLoaded(snapshot.members, start, List.of());
    }

    private static PoolMember leastLoaded(PoolMember[] members, int start, List<? extends Backend> avoid) {
        boolean avoiding = !avoid.isEmpty();
        PoolMember best = null;
        long bestActive = 0;
        long bestWeight = 1;
        for (int i = 0, index = start; i < members.length; i++, index = index + 1 == members.length ? 0 : index + 1) {
            PoolMember candidate = members[index];
            if (avoiding && avoid.contains(candidate)) {
                continue;
            }
            long active = candidate.activeConnections();
            // active / weight < bestActive / bestWeight, without division.
            if (best == null || active * bestWeight < bestActive * candidate.weight()) {
                best = candidate;
                bestActive = active;
                bestWeight = candidate.weight();
            }
        }
        return best;
    }

    @Override
    public String toString() {
        return "least-connections";
    }

    /** The members as an array, and the smooth weighted round-robin cycle of scan starts over them. */
    private static final class Snapshot {

        final PoolMember[] members;
        final int[] starts;

        Snapshot(List<PoolMember> members) {
            this.members = members.toArray(new PoolMember[0]);
            this.starts = RoundRobinStrategy.smoothOrder(members);
        }
    }
}
