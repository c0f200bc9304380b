package dev.forwarder.balancer;

import dev.forwarder.core.Backend;
import dev.forwarder.core.ChoiceNote;

import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * What a pool's pick path reads, in one volatile read: the up and enabled members, split (both lists new instances whenever
 * anything about them changes, so strategies rebuild what they derive from them), and the strategy and settings
 * that go with them. A reconfiguration swaps all of it at once.
 *
 * @param limited whether any member has a connection limit, so that connections may wait
 */
record PoolSnapshot(List<PoolMember> primaries, List<PoolMember> backups, BalancingStrategy strategy,
        PoolSettings settings, boolean limited) {

    /** The up members of {@code members}, in their order, with the strategy and settings to pick them by. */
    static PoolSnapshot of(List<PoolMember> members, BalancingStrategy strategy, PoolSettings settings) {
        List<PoolMember> primaries = new ArrayList<>();
        List<PoolMember> backups = new ArrayList<>();
        boolean limited = false;
        for (PoolMember member : members) {
            limited |= member.maxConnections() > 0;
            if (member.pickable()) {
                (member.backup() ? backups : primaries).add(member);
            }
        }
        return new PoolSnapshot(List.copyOf(primaries), List.copyOf(backups), strategy, settings, limited);
    }

    boolean isEmpty() {
        return primaries.isEmpty() && backups.isEmpty();
    }

    /**
     * Picks with the strategy among the primaries with room, or among the backups while no primary can take the
     * connection, and takes the member's slot. For a connection that has already failed on every primary, the
     * backups count as the available members too; with no backups, a tried primary is picked again.
     *
     * @return {@code null} when no member is up, or every up member is at its connection limit
     */
    PoolMember pick(SocketAddress client, List<? extends Backend> tried) {
        return pick(client, tried, ChoiceNote.NONE);
    }

    /** As {@link #pick(SocketAddress, List)}, the strategy noting in {@code note} what it compared. */
    PoolMember pick(SocketAddress client, List<? extends Backend> tried, ChoiceNote note) {
        boolean primariesTried = !tried.isEmpty() && !primaries.isEmpty() && containsAll(tried, primaries);
        if (!primaries.isEmpty() && !primariesTried) {
            PoolMember member = acquire(strategy, primaries, client, tried, note);
            if (member != null) {
                return member;
            }
        }
        if (!backups.isEmpty()) {
            return acquire(strategy, backups, client, tried, note);
        }
        return primariesTried ? acquire(strategy, primaries, client, tried, note) : null;
    }

    private static PoolMember acquire(BalancingStrategy strategy, List<PoolMember> candidates, SocketAddress client,
            List<? extends Backend> tried, ChoiceNote note) {
        PoolMember member = strategy.pick(candidates, client, tried, note);
        return member.tryAcquire() ? member : acquireSkippingFull(strategy, candidates, client, tried, member, note);
    }

    /** The slow path, only for pools with connection limits: pick again, avoiding each member found full. */
    private static PoolMember acquireSkippingFull(BalancingStrategy strategy, List<PoolMember> candidates,
            SocketAddress client, List<? extends Backend> tried, PoolMember full, ChoiceNote note) {
        List<Backend> avoid = new ArrayList<>(tried);
        avoid.add(full);
        for (int i = 0, n = candidates.size(); i < n; i++) {
            PoolMember member = strategy.pick(candidates, client, avoid, note);
            // A strategy returns an avoided member only when it has no other left.
            if (avoid.contains(member)) {
                return null;
            }
            if (member.tryAcquire()) {
                return member;
            }
            avoid.add(member);
        }
        return null;
    }

    private static boolean containsAll(List<? extends Backend> tried, List<PoolMember> members) {
        for (int i = 0, n = members.size(); i < n; i++) {
            if (!tried.contains(members.get(i))) {
                return false;
            }
        }
        return true;
    }

}
