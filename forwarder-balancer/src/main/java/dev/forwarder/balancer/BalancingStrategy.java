package dev.forwarder.balancer;

import dev.forwarder.core.Backend;
import dev.forwarder.core.ChoiceNote;

import java.net.SocketAddress;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Picks one member from an immutable list of available members. A strategy instance belongs to one pool and
 * may keep lock-free state (a counter, a table built per member list); {@link #pick} is called concurrently from
 * every event loop and neither blocks nor takes a lock.
 *
 * <p>Every strategy weighs members by {@link PoolMember#effectiveWeight()} (the weight, less during slow start;
 * compared in sixteenths) and skips the members in {@code avoid} whenever another member is available.
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

    /**
     * As {@link #pick(List, SocketAddress, List)}, noting in {@code note} what the pick compared (the built-in
     * strategies do; a few stores, no allocation). A strategy that has nothing to say need not override it.
     */
    default PoolMember pick(List<PoolMember> members, SocketAddress client, List<? extends Backend> avoid,
            ChoiceNote note) {
        return pick(members, client, avoid);
    }

    /** Smooth weighted round-robin: a weight-3 member gets three picks in every cycle, not three in a row. */
    static BalancingStrategy roundRobin() {
        return new RoundRobinStrategy();
    }

    /**
     * The member with the fewest active connections per unit of weight; ties go round the members by weight, so an
     * idle pool is spread like {@link #roundRobin()}.
     */
    static BalancingStrategy leastConnections() {
        return new LeastConnectionsStrategy();
    }

    /**
     * The power of two random choices: of two members drawn at random by weight, the one with fewer active
     * connections per unit of weight.
     */
    static BalancingStrategy randomTwo() {
        return new RandomTwoStrategy();
    }

    /**
     * Consistent hashing of the client's IP address with a Maglev lookup table: the same client goes to the same
     * member on every forwarder with the same members, and removing one of N members moves about 1/N of clients.
     */
    static BalancingStrategy maglev() {
        return new MaglevStrategy();
    }

    /**
     * A new instance of the strategy a config names: {@code round-robin}, {@code least-connections},
     * {@code random-two} or {@code maglev}.
     *
     * @throws IllegalArgumentException for any other name
     */
    static BalancingStrategy named(String name) {
        Supplier<BalancingStrategy> factory = switch (name.toLowerCase(Locale.ROOT)) {
            case "round-robin" -> BalancingStrategy::roundRobin;
            case "least-connections" -> BalancingStrategy::leastConnections;
            case "random-two" -> BalancingStrategy::randomTwo;
            case "maglev" -> BalancingStrategy::maglev;
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
        return List.of("round-robin", "least-connections", "random-two", "maglev");
    }
}
