package dev.forwarder.balancer;

import dev.forwarder.core.Backend;
import dev.forwarder.core.BackendChooser;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A named set of backends and the strategy that spreads connections over them. Picks read an immutable
 * snapshot of the available members, so the pick path takes no lock.
 */
public final class Pool implements BackendChooser {

    private final String name;
    private final BalancingStrategy strategy;
    private final List<PoolMember> members;
    // Immutable lists, swapped whole when availability changes.
    private volatile List<PoolMember> primaries;
    private volatile List<PoolMember> backups;

    private Pool(String name, BalancingStrategy strategy, List<PoolMember> members) {
        this.name = name;
        this.strategy = strategy;
        this.members = List.copyOf(members);
        this.primaries = members.stream().filter(m -> !m.backup()).toList();
        this.backups = members.stream().filter(PoolMember::backup).toList();
    }

    /**
     * A pool over {@code backends}. Hostnames are resolved once, here, to their first address.
     *
     * @throws IllegalArgumentException when a hostname does not resolve or the list is empty
     */
    public static Pool of(String name, BalancingStrategy strategy, List<BackendSpec> backends) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(strategy, "strategy");
        if (backends.isEmpty()) {
            throw new IllegalArgumentException("backends: [] (expected: at least one backend)");
        }
        List<PoolMember> members = new ArrayList<>(backends.size());
        for (BackendSpec spec : backends) {
            InetSocketAddress address = new InetSocketAddress(spec.host(), spec.port());
            if (address.isUnresolved()) {
                throw new IllegalArgumentException("backend " + spec.authority() + ": host does not resolve");
            }
            members.add(new PoolMember(spec, address));
        }
        return new Pool(name, strategy, members);
    }

    public String name() {
        return name;
    }

    /** Every member, available or not, in configuration order. */
    public List<PoolMember> members() {
        return members;
    }

    /**
     * Picks with the pool's strategy among the primaries, or among the backups while no primary is available. For
     * a connection that has already failed on every primary, the backups count as the available members too.
     */
    @Override
    public Backend choose(SocketAddress client, List<Backend> tried) {
        List<PoolMember> candidates = primaries;
        if (candidates.isEmpty() || !tried.isEmpty() && containsAll(tried, candidates)) {
            List<PoolMember> fallback = backups;
            if (!fallback.isEmpty()) {
                candidates = fallback;
            } else if (candidates.isEmpty()) {
                return null;
            }
        }
        PoolMember member = strategy.pick(candidates, client, tried);
        member.acquired();
        return member;
    }

    private static boolean containsAll(List<Backend> tried, List<PoolMember> members) {
        for (int i = 0, n = members.size(); i < n; i++) {
            if (!tried.contains(members.get(i))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public void connectFailed(Backend backend, Throwable cause) {
        ((PoolMember) backend).releasedOne();
    }

    @Override
    public void released(Backend backend) {
        ((PoolMember) backend).releasedOne();
    }

    @Override
    public String toString() {
        return "Pool[" + name + ", " + members + "]";
    }
}
