package dev.forwarder.it.balancer;

import dev.forwarder.app.Forwarder;
import dev.forwarder.app.config.ConfigLoader;
import dev.forwarder.balancer.MemberState;
import dev.forwarder.balancer.PoolMember;
import dev.forwarder.core.BoundListener;
import dev.forwarder.core.ConnectionSnapshot;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import static org.awaitility.Awaitility.await;

/**
 * A forwarder running in the test JVM, configured as a user would (HOCON through {@link ConfigLoader}): per pool
 * one listener of the same name on an ephemeral loopback port. Tests read the pools' members to see their state.
 */
final class PoolForwarder implements AutoCloseable {

    private final Forwarder forwarder;

    private PoolForwarder(Forwarder forwarder) {
        this.forwarder = forwarder;
    }

    /** One pool named {@code pool} whose body (strategy, backends, checks...) is {@code poolHocon}. */
    static PoolForwarder start(String pool, String poolHocon) throws Exception {
        return start(Map.of(pool, poolHocon));
    }

    /** Each pool of {@code poolHoconByName}, each behind a listener of its own name. */
    static PoolForwarder start(Map<String, String> poolHoconByName) throws Exception {
        return start(poolHoconByName, Map.of());
    }

    /** As {@link #start(Map)}, with more keys (e.g. {@code when-no-backend = pause-accept}) for some listeners. */
    static PoolForwarder start(Map<String, String> poolHoconByName, Map<String, String> listenerHoconByName)
            throws Exception {
        String hocon = config("127.0.0.1:0", new LinkedHashMap<>(poolHoconByName), listenerHoconByName);
        return new PoolForwarder(Forwarder.start(ConfigLoader.parse(hocon, PoolForwarder.class.getName())));
    }

    /**
     * The HOCON of each pool of {@code pools} behind a listener of its own name bound to {@code bind}, with
     * {@code listenerExtras} added to the listeners they name.
     */
    static String config(String bind, Map<String, String> pools, Map<String, String> listenerExtras) {
        String listeners = pools.keySet().stream()
                .map(name -> "    " + name + " { bind = \"" + bind + "\", pool = " + name
                        + (listenerExtras.containsKey(name) ? ", " + listenerExtras.get(name) : "") + " }\n")
                .collect(Collectors.joining());
        String poolBlocks = pools.entrySet().stream()
                .map(e -> "    " + e.getKey() + " {\n" + e.getValue() + "\n    }\n")
                .collect(Collectors.joining());
        // A short drain: a test that leaves connections hanging should fail, not wait out the default 30 s.
        return "forwarder {\n  shutdown-timeout = 2s\n  listeners {\n" + listeners + "  }\n  pools {\n" + poolBlocks
                + "  }\n}\n";
    }

    /** {@code backends = [ "127.0.0.1:p1", ... ]} for these addresses. */
    static String backends(InetSocketAddress... addresses) {
        StringBuilder list = new StringBuilder("backends = [ ");
        for (int i = 0; i < addresses.length; i++) {
            list.append(i == 0 ? "" : ", ").append('"').append(addresses[i].getHostString()).append(':')
                    .append(addresses[i].getPort()).append('"');
        }
        return list.append(" ]").toString();
    }

    /** Where clients of {@code listener} connect. */
    InetSocketAddress address(String listener) {
        return forwarder.listenerAddress(listener);
    }

    /** The open connections of {@code listener} as they are now, gathered on forwarder's event loops. */
    List<ConnectionSnapshot> connections(String listener) {
        return forwarder.relay().listeners().stream()
                .filter(l -> l.name().equals(listener))
                .findFirst()
                .map(BoundListener::connections)
                .orElseThrow(() -> new AssertionError("no listener " + listener));
    }

    /** The member of {@code pool} named {@code memberName} ({@code 127.0.0.1:port}). */
    PoolMember member(String pool, String memberName) {
        return forwarder.pool(pool).members().stream()
                .filter(m -> m.name().equals(memberName))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no member " + memberName + " in pool " + pool + ": "
                        + forwarder.pool(pool).members()));
    }

    /**
     * Waits, polling every 5 ms for at most {@code atMost}, until {@code member} is in {@code state}.
     *
     * @return how long that took
     */
    static Duration awaitState(PoolMember member, MemberState state, Duration atMost) {
        return awaitMember(member, m -> m.state() == state, state.toString(), atMost);
    }

    static Duration awaitMember(PoolMember member, Predicate<PoolMember> condition, String what, Duration atMost) {
        long start = System.nanoTime();
        await("member " + member.name() + " " + what).atMost(atMost).pollDelay(Duration.ZERO)
                .pollInterval(Duration.ofMillis(5))
                .until(() -> condition.test(member));
        return Duration.ofNanos(System.nanoTime() - start);
    }

    @Override
    public void close() {
        forwarder.close();
    }
}
