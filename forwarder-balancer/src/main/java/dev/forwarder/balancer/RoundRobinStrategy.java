package dev.forwarder.balancer;

import dev.forwarder.core.Backend;

import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Smooth weighted round-robin (nginx's algorithm) made lock-free: the sequence for one member list is computed
 * once, and each pick is an atomic increment into it.
 */
final class RoundRobinStrategy implements BalancingStrategy {

    private final AtomicLong next = new AtomicLong();
    // Written by any thread that sees a new member list; a stale read only costs one recomputation.
    private volatile Schedule schedule = new Schedule(List.of(), new PoolMember[0]);

    @Override
    public PoolMember pick(List<PoolMember> members, SocketAddress client, List<? extends Backend> avoid) {
        Schedule current = schedule;
        if (current.members != members) {
            current = new Schedule(members, smoothSequence(members));
            schedule = current;
        }
        PoolMember[] sequence = current.sequence;
        long start = next.getAndIncrement();
        for (int i = 0; i < sequence.length; i++) {
            PoolMember candidate = sequence[(int) Long.remainderUnsigned(start + i, sequence.length)];
            if (!avoid.contains(candidate)) {
                return candidate;
            }
        }
        return sequence[(int) Long.remainderUnsigned(start, sequence.length)];
    }

    /** One full cycle of smooth weighted round-robin, its length the sum of the weights divided by their gcd. */
    static PoolMember[] smoothSequence(List<PoolMember> members) {
        int gcd = 0;
        for (PoolMember member : members) {
            gcd = gcd(gcd, member.weight());
        }
        int[] weights = new int[members.size()];
        int total = 0;
        for (int i = 0; i < weights.length; i++) {
            weights[i] = members.get(i).weight() / gcd;
            total += weights[i];
        }
        int[] current = new int[weights.length];
        List<PoolMember> sequence = new ArrayList<>(total);
        for (int step = 0; step < total; step++) {
            int best = 0;
            for (int i = 0; i < weights.length; i++) {
                current[i] += weights[i];
                if (current[i] > current[best]) {
                    best = i;
                }
            }
            current[best] -= total;
            sequence.add(members.get(best));
        }
        return sequence.toArray(new PoolMember[0]);
    }

    private static int gcd(int a, int b) {
        return b == 0 ? a : gcd(b, a % b);
    }

    private record Schedule(List<PoolMember> members, PoolMember[] sequence) {
    }
}
