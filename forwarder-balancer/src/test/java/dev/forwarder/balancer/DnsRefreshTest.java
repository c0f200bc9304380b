package dev.forwarder.balancer;

import dev.forwarder.core.Backend;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Hostname backends: every address is a member; re-resolving adds new ones and drains vanished ones. */
class DnsRefreshTest {

    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40000);
    private static final String HOST = "app.test";

    /** A resolver the test rewrites: a list of addresses, or null to fail. */
    private final AtomicReference<List<InetAddress>> records = new AtomicReference<>();
    private final java.util.concurrent.atomic.AtomicInteger lookups = new java.util.concurrent.atomic.AtomicInteger();
    private final Resolver fake = host -> {
        lookups.incrementAndGet();
        List<InetAddress> current = records.get();
        if (!host.equals(HOST) || current == null) {
            throw new UnknownHostException(host);
        }
        return current;
    };
    private final List<String> events = new CopyOnWriteArrayList<>();

    private static InetAddress ip(int last) {
        return TestMembers.address(new byte[] {127, 0, 0, (byte) last});
    }

    private Pool pool() {
        Pool pool = Pool.builder("dns", BalancingStrategy.roundRobin(), List.of(
                        new BackendSpec("127.0.0.1", 9000, 1, false),
                        new BackendSpec(HOST, 9001, 2, false)))
                .settings(PoolSettings.STATIC.withResolveInterval(Duration.ofMillis(20)))
                .resolver(fake)
                .build();
        pool.addListener(new PoolListener() {
            @Override
            public void memberAdded(Pool p, PoolMember member) {
                events.add("added " + member.name());
            }

            @Override
            public void memberRemoved(Pool p, PoolMember member) {
                events.add("removed " + member.name());
            }
        });
        return pool;
    }

    private static List<String> names(List<PoolMember> members) {
        return members.stream().map(PoolMember::name).toList();
    }

    @Test
    void everyAddressOfAHostnameIsAMemberWithTheSpecsWeight() {
        records.set(List.of(ip(2), ip(3)));
        try (Pool pool = pool()) {
            assertThat(names(pool.members())).containsExactly("127.0.0.1:9000", "127.0.0.2:9001", "127.0.0.3:9001");
            assertThat(pool.members().get(1).host()).isEqualTo(HOST);
            assertThat(pool.members().get(2).weight()).isEqualTo(2);
        }
    }

    @Test
    void aHostnameThatDoesNotResolveAtStartIsAnError() {
        assertThatThrownBy(this::pool).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("backend app.test:9001: host does not resolve");
    }

    @Test
    void aNewAddressIsAddedAndAVanishedOneDrainsUntilItsLastConnectionEnds() {
        records.set(List.of(ip(2)));
        try (Pool pool = pool()) {
            pool.start();
            records.set(List.of(ip(2), ip(3)));
            await().atMost(Duration.ofSeconds(3)).until(() -> pool.members().size() == 3);
            assertThat(names(pool.members())).containsExactly("127.0.0.1:9000", "127.0.0.2:9001", "127.0.0.3:9001");
            PoolMember added = pool.members().get(2);
            assertThat(added.state()).isEqualTo(MemberState.UP);

            Backend held = pickUntil(pool, added);
            records.set(List.of(ip(2)));
            await().atMost(Duration.ofSeconds(3)).until(() -> added.state() == MemberState.DRAINING);
            assertThat(pool.members()).contains(added);
            for (int i = 0; i < 50; i++) {
                Backend picked = pool.choose(CLIENT, List.of());
                assertThat(picked).isNotSameAs(added);
                pool.released(picked);
            }

            pool.released(held);
            await().atMost(Duration.ofSeconds(3)).until(() -> !pool.members().contains(added));
            assertThat(events).containsExactly("added 127.0.0.3:9001", "removed 127.0.0.3:9001");
            assertThat(added.activeConnections()).isZero();
        }
    }

    @Test
    void aFailedLookupKeepsTheMembers() {
        records.set(List.of(ip(2), ip(3)));
        try (Pool pool = pool()) {
            pool.start();
            records.set(null);
            int before = lookups.get();
            // Lookups keep failing for a good many rounds.
            await().atMost(Duration.ofSeconds(3)).until(() -> lookups.get() >= before + 5);
            assertThat(names(pool.members())).containsExactly("127.0.0.1:9000", "127.0.0.2:9001", "127.0.0.3:9001");
            assertThat(pool.members()).allSatisfy(m -> assertThat(m.state()).isEqualTo(MemberState.UP));
        }
    }

    @Test
    void aDrainingAddressThatComesBackIsUsedAgain() {
        records.set(List.of(ip(2), ip(3)));
        try (Pool pool = pool()) {
            pool.start();
            PoolMember third = pool.members().get(2);
            Backend held = pickUntil(pool, third);
            records.set(List.of(ip(2)));
            await().atMost(Duration.ofSeconds(3)).until(() -> third.state() == MemberState.DRAINING);
            records.set(List.of(ip(2), ip(3)));
            await().atMost(Duration.ofSeconds(3)).until(() -> third.state() == MemberState.UP);
            pool.released(held);
            assertThat(pool.members()).hasSize(3).contains(third);
        }
    }

    private static Backend pickUntil(Pool pool, PoolMember member) {
        for (int i = 0; i < 100; i++) {
            Backend picked = pool.choose(CLIENT, List.of());
            if (picked == member) {
                return picked;
            }
            pool.released(picked);
        }
        throw new AssertionError(member + " was never picked");
    }
}
