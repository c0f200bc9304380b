package dev.forwarder.balancer;

import dev.forwarder.core.Backend;
import dev.forwarder.core.ChoiceNote;

import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The power of two random choices (Envoy's {@code least_request}, nginx's {@code random two least_conn}): draw
 * two different members at random, each with probability proportional to its weight, and take the one with fewer
 * active connections per unit of weight. Nearly as even as least connections, but a pick reads two counters
 * instead of all of them and shares no state with other threads.
 */
final class RandomTwoStrategy implements BalancingStrategy {

    private final SnapshotCache<Snapshot> snapshots = new SnapshotCache<>(Snapshot::new);

    /** first, second = the two drawn, a and b = their active connections; c = 1 when there was only one. */
    private static final ChoiceNote.Reason REASON = (first, second, a, b, c) -> c == 1
            ? "random-two only=" + first.name() + " active=" + a
            : "random-two candidates=" + first.name() + "(active=" + a + ")," + second.name() + "(active=" + b + ")";

    @Override
    public PoolMember pick(List<PoolMember> members, SocketAddress client, List<? extends Backend> avoid) {
        return pick(members, client, avoid, ChoiceNote.NONE);
    }

    @Override
    public PoolMember pick(List<PoolMember> members, SocketAddress client, List<? extends Backend> avoid,
            ChoiceNote note) {
        Snapshot snapshot = snapshots.get(members);
        if (snapshot.members.length == 1) {
            note.note(REASON, snapshot.members[0], null, snapshot.members[0].activeConnections(), 0, 1);
            return snapshot.members[0];
        }
        ThreadLocalRandom random = ThreadLocalRandom.current();
        if (!avoid.isEmpty()) {
            PoolMember picked = pickAvoiding(snapshot, avoid, random, note);
            if (picked != null) {
                return picked;
            }
        }
        int first;
        int second;
        if (snapshot.equalWeights) {
            int count = snapshot.members.length;
            first = random.nextInt(count);
            second = first + 1 + random.nextInt(count - 1);
            if (second >= count) {
                second -= count;
            }
        } else {
            first = snapshot.indexOf(random.nextInt(snapshot.totalWeight));
            // Draw from the weight line with the first member's stretch cut out, so the two always differ.
            int weight = snapshot.weights[first];
            int point = random.nextInt(snapshot.totalWeight - weight);
            if (point >= snapshot.ends[first] - weight) {
                point += weight;
            }
            second = snapshot.indexOf(point);
        }
        return lessLoaded(snapshot.members[first], snapshot.members[second], note);
    }

    /**
     * The slow path for a connection's retry: the same draw over the members not in {@code avoid}, by a linear
     * walk. Returns {@code null} when every member is in {@code avoid}.
     */
    private static PoolMember pickAvoiding(Snapshot snapshot, List<? extends Backend> avoid,
            ThreadLocalRandom random, ChoiceNote note) {
        PoolMember[] members = snapshot.members;
        int allowed = 0;
        int allowedWeight = 0;
        int last = -1;
        for (int i = 0; i < members.length; i++) {
            if (!avoid.contains(members[i])) {
                allowed++;
                allowedWeight += snapshot.weights[i];
                last = i;
            }
        }
        if (allowed <= 1) {
            if (allowed == 1) {
                note.note(REASON, members[last], null, members[last].activeConnections(), 0, 1);
            }
            return allowed == 0 ? null : members[last];
        }
        int first = walk(snapshot, avoid, random.nextInt(allowedWeight), -1);
        int second = walk(snapshot, avoid, random.nextInt(allowedWeight - snapshot.weights[first]), first);
        return lessLoaded(members[first], members[second], note);
    }

    private static int walk(Snapshot snapshot, List<? extends Backend> avoid, int point, int skip) {
        PoolMember[] members = snapshot.members;
        int last = -1;
        for (int i = 0; i < members.length; i++) {
            if (i == skip || avoid.contains(members[i])) {
                continue;
            }
            if (point < snapshot.weights[i]) {
                return i;
            }
            point -= snapshot.weights[i];
            last = i;
        }
        return last;
    }

    private static PoolMember lessLoaded(PoolMember a, PoolMember b, ChoiceNote note) {
        // b.active / b.weight < a.active / a.weight, without division; a tie keeps a, itself a random draw.
        int aActive = a.activeConnections();
        int bActive = b.activeConnections();
        note.note(REASON, a, b, aActive, bActive, 2);
        long bLoad = (long) bActive * a.scaledWeight();
        return bLoad < (long) aActive * b.scaledWeight() ? b : a;
    }

    @Override
    public String toString() {
        return "random-two";
    }

    /** The members laid end to end on a line of length {@code totalWeight}, each over a stretch of its weight. */
    private static final class Snapshot {

        final PoolMember[] members;
        final int[] weights;
        /** Where each member's stretch ends (exclusive): the running sum of the weights. */
        final int[] ends;
        final int totalWeight;
        final boolean equalWeights;

        Snapshot(List<PoolMember> list) {
            members = list.toArray(new PoolMember[0]);
            weights = new int[members.length];
            ends = new int[members.length];
            int total = 0;
            boolean equal = true;
            for (int i = 0; i < members.length; i++) {
                weights[i] = members[i].scaledWeight();
                total += weights[i];
                ends[i] = total;
                equal &= weights[i] == weights[0];
            }
            totalWeight = total;
            equalWeights = equal;
        }

        /** The member whose stretch holds {@code point}, by binary search. */
        int indexOf(int point) {
            int low = 0;
            int high = ends.length - 1;
            while (low < high) {
                int middle = (low + high) >>> 1;
                if (ends[middle] > point) {
                    high = middle;
                } else {
                    low = middle + 1;
                }
            }
            return low;
        }
    }
}
