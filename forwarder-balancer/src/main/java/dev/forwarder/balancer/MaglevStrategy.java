package dev.forwarder.balancer;

import dev.forwarder.core.Backend;
import dev.forwarder.core.ChoiceNote;

import java.net.SocketAddress;
import java.util.List;

/**
 * Consistent hashing of the client's IP address over a {@link MaglevTable}: a client keeps its backend while the
 * member list stays the same, on every forwarder instance that has the same members. A pick is one hash and one
 * array read; the table is built once per member list.
 *
 * <p>When the client's member is in {@code avoid}, the pick walks on through the table to the next slot owned by
 * another member, so a client's second choice is as stable as its first.
 */
final class MaglevStrategy implements BalancingStrategy {

    private final SnapshotCache<MaglevTable> tables = new SnapshotCache<>(MaglevTable::build);

    /** first = the key's owner when it was passed over (tried already); a = key, b = slot, c = table size. */
    private static final ChoiceNote.Reason REASON = (first, second, a, b, c) -> "maglev key="
            + String.format("%016x", a) + " slot=" + b + " table=" + c
            + (first != null ? " owner=" + first.name() + " (tried, walked on)" : "");

    @Override
    public PoolMember pick(List<PoolMember> members, SocketAddress client, List<? extends Backend> avoid) {
        return pick(members, client, avoid, ChoiceNote.NONE);
    }

    @Override
    public PoolMember pick(List<PoolMember> members, SocketAddress client, List<? extends Backend> avoid,
            ChoiceNote note) {
        MaglevTable table = tables.get(members);
        long key = MaglevTable.keyOf(client);
        int slot = table.slotOf(key);
        PoolMember owner = table.memberAt(slot);
        if (avoid.isEmpty() || !avoid.contains(owner) || !anyAllowed(members, avoid)) {
            note.note(REASON, null, null, key, slot, table.size());
            return owner;
        }
        for (int i = 1, size = table.size(); i < size; i++) {
            slot = slot + 1 == size ? 0 : slot + 1;
            PoolMember candidate = table.memberAt(slot);
            if (!avoid.contains(candidate)) {
                note.note(REASON, owner, null, key, slot, size);
                return candidate;
            }
        }
        note.note(REASON, null, null, key, table.slotOf(key), table.size());
        return owner;
    }

    private static boolean anyAllowed(List<PoolMember> members, List<? extends Backend> avoid) {
        for (int i = 0, n = members.size(); i < n; i++) {
            if (!avoid.contains(members.get(i))) {
                return true;
            }
        }
        return false;
    }

    @Override
    public String toString() {
        return "maglev";
    }
}
