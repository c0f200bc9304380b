package dev.forwarder.balancer;

import java.util.List;
import java.util.function.Function;

/**
 * What a strategy derives from one member list (a schedule, a lookup table), keyed by the list's identity: the
 * pool swaps its lists whole, so a new instance means new members and the same instance means nothing changed.
 *
 * <p>Two slots, because a pool hands out two lists in turn while its primaries are all failing (primaries on the
 * first try, backups on the retry); one slot would rebuild on every pick.
 */
final class SnapshotCache<T> {

    private final Function<List<PoolMember>, T> builder;
    // Each entry is immutable, so any entry whose list matches is right. Two threads seeing a new list at once
    // both build it; the values are equal, and losing one costs only the work.
    private volatile Entry<T> latest;
    private volatile Entry<T> previous;

    SnapshotCache(Function<List<PoolMember>, T> builder) {
        this.builder = builder;
    }

    T get(List<PoolMember> members) {
        Entry<T> entry = latest;
        if (entry != null && entry.members == members) {
            return entry.value;
        }
        Entry<T> older = previous;
        if (older != null && older.members == members) {
            return older.value;
        }
        Entry<T> built = new Entry<>(members, builder.apply(members));
        previous = entry;
        latest = built;
        return built.value;
    }

    private record Entry<T>(List<PoolMember> members, T value) {
    }
}
