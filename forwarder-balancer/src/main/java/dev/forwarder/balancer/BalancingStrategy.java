package dev.forwarder.balancer;

import dev.forwarder.core.Backend;

import java.net.SocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Picks one member from an immutable list of available members. A strategy instance belongs to one pool and
 * may keep lock-free state (a counter); {@link #pick} is called concurrently from every event loop.
 */
public interface BalancingStrategy {

    /**
     * Picks a member.
     *
     * @param members the available members, never empty; the same list instance until the pool changes
     * @param client the client's address, for strategies that hash it
     * @param avoid members to skip when any other is available
     */
    PoolMember pick(List<PoolMember> members, SocketAddress client, List<? extends Backend> avoid);

    /** Smooth weighted round-robin: a weight-3 member gets three picks in every cycle, not three in a row. */
    static BalancingStrategy roundRobin() {
        return new RoundRobinStrategy();
    }

    /** The strategy a config names, e.g. {@code round-robin}. */
    static BalancingStrategy named(String name) {
        Supplier<BalancingStrategy> factory = switch (name.toLowerCase(Locale.ROOT)) {
            case "round-robin" -> BalancingStrategy::roundRobin;
            default -> null;
        };
        if (factory == null) {
            throw new IllegalArgumentException(
                    "strategy: \"" + name + "\" (expected one of: " + String.join(", ", names()) + ")");
        }
        return factory.get();
    }

    /** Every name {@link #named} accepts. */
    static List<String> names() {
        return List.of("round-robin");
    }
}
