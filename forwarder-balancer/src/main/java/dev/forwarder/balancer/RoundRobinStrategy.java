package dev.forwarder.balancer;

import dev.forwarder.core.Backend;
import dev.forwarder.core.ChoiceNote;

import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Smooth weighted round-robin (nginx's algorithm) made lock-free: the sequence for one member list is computed
 * once, and each pick is an atomic increment into it.
 */
final class RoundRobinStrategy implements BalancingStrategy {

    private final AtomicLong next = new AtomicLong();
    private final SnapshotCache<PoolMember[]> sequences = new SnapshotCache<>(RoundRobinStrategy::smoothSequence);

    /** a = the position in the cycle, b = the cycle's length, c = members skipped (tried already). */
    private static final ChoiceNote.Reason REASON = (first, second, a, b, c) -> "round-robin position=" + a
            + " cycle=" + b + (c > 0 ? " skipped=" + c : "");

    @Override
    public PoolMember pick(List<PoolMember> members, SocketAddress client, List<? extends Backend> avoid) {
        return pick(members, client, avoid, ChoiceNote.NONE);
    }

    @Override
    public PoolMember pick(List<PoolMember> members, SocketAddress client, List<? extends Backend> avoid,
            ChoiceNote note) {
        PoolMember[] sequence = sequences.get(members);
        long start = next.getAndIncrement();
        int position = (int) Long.remainderUnsigned(start, sequence.length);
        if (avoid.isEmpty()) {
            note.note(REASON, null, null, position, sequence.length, 0);
            return sequence[position];
        }
        // The next member of the cycle that has not failed this connection yet.
        for (int i = 0; i < sequence.length; i++) {
            int at = (int) Long.remainderUnsigned(start + i, sequence.length);
            PoolMember candidate = sequence[at];
            if (!avoid.contains(candidate)) {
                note.note(REASON, null, null, at, sequence.length, i);
                return candidate;
            }
        }
        note.note(REASON, null, null, position, sequence.length, 0);
        return sequence[position];
    }

    @Override
    public String toString() {
        return "round-robin";
    }

    static PoolMember[] smoothSequence(List<PoolMember> members) {
        int[] order = smoothOrder(members);
        PoolMember[] sequence = new PoolMember[order.length];
        for (int i = 0; i < order.length; i++) {
            sequence[i] = members.get(order[i]);
        }
        return sequence;
    }

    /**
     * One full cycle of smooth weighted round-robin as indexes into {@code members}; its length is the sum of the
     * weights divided by their gcd. Each step adds every weight to its member's running score, picks the highest
     * score and takes the total off it, so a heavy member's picks are spread through the cycle.
     */
    static int[] smoothOrder(List<PoolMember> members) {
        int gcd = 0;
        for (PoolMember member : members) {
            gcd = gcd(gcd, member.scaledWeight());
        }
        int[] weights = new int[members.size()];
        int total = 0;
        for (int i = 0; i < weights.length; i++) {
            weights[i] = members.get(i).scaledWeight() / gcd;
            total += weights[i];
        }
        int[] current = new int[weights.length];
        int[] order = new int[total];
        for (int step = 0; step < total; step++) {
            int best = 0;
            for (int i = 0; i < weights.length; i++) {
                current[i] += weights[i];
                if (current[i] > current[best]) {
                    best = i;
                }
            }
            current[best] -= total;
            order[step] = best;
        }
        return order;
    }

    static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }
}
