package dev.forwarder.balancer;

import java.math.BigInteger;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * A Maglev lookup table (Eisenbud et al., "Maglev: A Fast and Reliable Software Network Load Balancer", NSDI
 * 2016, section 3.4): a prime number of slots, each owning one member. Every member walks its own permutation of
 * the slots, from an offset and a skip both hashed from its name, and members take turns claiming the next free
 * slot on their walk until the table is full; a member of weight w takes w turns per round, so it owns about w
 * times as many slots as a member of weight 1.
 *
 * <p>The table depends only on the members' names and weights: every forwarder with the same backends builds the
 * same table whatever order it lists them in, so each sends a client to the same backend. Removing one of N
 * members frees only its slots and the rest keep almost all theirs, so about 1/N of clients move.
 */
final class MaglevTable {

    /** The paper's small table size; large enough for good balance up to about 650 members (100 slots each). */
    static final int DEFAULT_SIZE = 65_537;

    private static final long OFFSET_SEED = 0x9E3779B97F4A7C15L;
    private static final long SKIP_SEED = 0xC2B2AE3D27D4EB4FL;

    private final PoolMember[] slots;

    private MaglevTable(PoolMember[] slots) {
        this.slots = slots;
    }

    static MaglevTable build(List<PoolMember> members) {
        return build(members, sizeFor(members.size()));
    }

    static MaglevTable build(List<PoolMember> list, int size) {
        // Name order, not list order, so that every instance builds the same table (stable: equal names keep
        // their list order).
        if (list.isEmpty()) {
            throw new IllegalArgumentException("members: [] (expected: at least one member)");
        }
        PoolMember[] members = list.toArray(new PoolMember[0]);
        Arrays.sort(members, Comparator.comparing(PoolMember::name));
        int count = members.length;
        int gcd = 0;
        for (PoolMember member : members) {
            gcd = RoundRobinStrategy.gcd(gcd, member.scaledWeight());
        }
        int[] turns = new int[count];
        int[] position = new int[count];
        int[] skip = new int[count];
        for (int i = 0; i < count; i++) {
            long hash = hash(members[i].name().getBytes(StandardCharsets.UTF_8));
            position[i] = (int) Long.remainderUnsigned(mix(hash ^ OFFSET_SEED), size);
            skip[i] = (int) Long.remainderUnsigned(mix(hash ^ SKIP_SEED), size - 1) + 1;
            turns[i] = members[i].scaledWeight() / gcd;
        }
        PoolMember[] slots = new PoolMember[size];
        int filled = 0;
        while (true) {
            for (int i = 0; i < count; i++) {
                for (int turn = 0; turn < turns[i]; turn++) {
                    // The size is prime and 0 < skip < size, so the walk visits every slot: a free one is found.
                    int slot = position[i];
                    while (slots[slot] != null) {
                        slot = next(slot, skip[i], size);
                    }
                    slots[slot] = members[i];
                    position[i] = next(slot, skip[i], size);
                    if (++filled == size) {
                        return new MaglevTable(slots);
                    }
                }
            }
        }
    }

    private static int next(int slot, int skip, int size) {
        // No overflow: both are below the size, itself below 2^30.
        int next = slot + skip;
        return next >= size ? next - size : next;
    }

    /** {@link #DEFAULT_SIZE}, or for a very large pool the first prime above 100 slots per member. */
    static int sizeFor(int members) {
        long wanted = 100L * members;
        if (wanted <= DEFAULT_SIZE) {
            return DEFAULT_SIZE;
        }
        return BigInteger.valueOf(wanted).nextProbablePrime().intValueExact();
    }

    int size() {
        return slots.length;
    }

    /** The slot a client's key lands in. */
    int slotOf(long key) {
        return (int) Long.remainderUnsigned(key, slots.length);
    }

    PoolMember memberAt(int slot) {
        return slots[slot];
    }

    /**
     * The hash of a client's IP address, without its port, so that all of a client's connections hash alike.
     * The same address gives the same key in every JVM.
     */
    static long keyOf(SocketAddress client) {
        if (client instanceof InetSocketAddress inet) {
            InetAddress address = inet.getAddress();
            // getAddress() copies 4 or 16 bytes; the copy does not escape, so the JIT can usually drop it.
            return mix(address != null ? hash(address.getAddress())
                    : hash(inet.getHostString().getBytes(StandardCharsets.UTF_8)));
        }
        return client == null ? 0 : mix(hash(client.toString().getBytes(StandardCharsets.UTF_8)));
    }

    /** 64-bit FNV-1a. */
    private static long hash(byte[] bytes) {
        long hash = 0xCBF29CE484222325L;
        for (byte b : bytes) {
            hash ^= b & 0xFF;
            hash *= 0x100000001B3L;
        }
        return hash;
    }

    /** MurmurHash3's 64-bit finalizer: spreads every input bit over the whole result. */
    private static long mix(long hash) {
        hash ^= hash >>> 33;
        hash *= 0xFF51AFD7ED558CCDL;
        hash ^= hash >>> 33;
        hash *= 0xC4CEB9FE1A85EC53L;
        hash ^= hash >>> 33;
        return hash;
    }
}
