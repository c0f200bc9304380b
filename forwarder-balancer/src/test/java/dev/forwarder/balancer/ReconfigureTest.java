package dev.forwarder.balancer;

import dev.forwarder.balancer.health.HealthCheckType;
import dev.forwarder.core.Backend;
import dev.forwarder.core.ConnectPolicy;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.awaitility.Awaitility.await;

/** Pool.reconfigure: members kept, drained and added by address; strategy, weights and settings swapped. */
class ReconfigureTest {

    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40000);
    private static final String HOST = "app.test";

    private final List<String> events = new CopyOnWriteArrayList<>();
    private final AtomicReference<List<InetAddress>> records = new AtomicReference<>();
    private final Resolver fake = host -> {
        List<InetAddress> current = records.get();
        if (!host.equals(HOST) || current == null) {
            throw new UnknownHostException(host);
        }
        return current;
    };
    private final CheckLoops loops = new CheckLoops();

    @AfterEach
    void stopLoops() {
        loops.close();
    }

    private static BackendSpec at(int port) {
        return new BackendSpec("127.0.0.1", port, 1, false);
    }

    private static BackendSpec at(int port, int weight) {
        return new BackendSpec("127.0.0.1", port, weight, false);
    }

    private Pool pool(BalancingStrategy strategy, PoolSettings settings, BackendSpec... specs) {
        Pool pool = Pool.builder("re", strategy, List.of(specs)).settings(settings).resolver(fake).build();
        pool.addListener(new PoolListener() {
            @Override
            public void memberAdded(Pool p, PoolMember member) {
                events.add("added " + member.name());
            }

            @Override
            public void memberRemoved(Pool p, PoolMember member) {
                events.add("removed " + member.name());
            }

            @Override
            public void availabilityChanged(Pool p, boolean available) {
                events.add("available=" + available);
            }
        });
        return pool;
    }

    private static PoolMember member(Pool pool, int port) {
        return pool.members().stream().filter(m -> m.address().getPort() == port).findFirst().orElseThrow();
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

    private static List<Integer> ports(List<PoolMember> members) {
        return members.stream().map(m -> m.address().getPort()).toList();
    }

    @Test
    void keepsMembersByAddressDrainsTheRemovedAndAddsTheNew() {
        try (Pool pool = pool(BalancingStrategy.roundRobin(), PoolSettings.STATIC, at(9001), at(9002))) {
            PoolMember kept = member(pool, 9001);
            PoolMember gone = member(pool, 9002);
            Backend held = pickUntil(pool, kept);

            PoolChanges changes = pool.reconfigure(BalancingStrategy.roundRobin(), PoolSettings.STATIC,
                    List.of(at(9003), at(9001, 3)), null);

            assertThat(changes.added()).containsExactly("127.0.0.1:9003");
            assertThat(changes.removed()).containsExactly("127.0.0.1:9002");
            assertThat(changes.changed()).containsExactly("127.0.0.1:9001(weight=1->3)");
            assertThat(changes.toString()).isEqualTo("added=[127.0.0.1:9003] removed=[127.0.0.1:9002]"
                    + " changed=[127.0.0.1:9001(weight=1->3)] settings=[]");
            assertThat(member(pool, 9001)).isSameAs(kept);
            assertThat(kept.activeConnections()).isEqualTo(1);
            assertThat(kept.state()).isEqualTo(MemberState.UP);
            assertThat(kept.weight()).isEqualTo(3);
            assertThat(kept.effectiveWeight()).isEqualTo(3.0);
            assertThat(gone.state()).isEqualTo(MemberState.DRAINING);
            await().atMost(Duration.ofSeconds(3)).until(() -> !pool.members().contains(gone));
            assertThat(ports(pool.members())).as("config order").containsExactly(9003, 9001);
            assertThat(member(pool, 9003).state()).isEqualTo(MemberState.UP);
            assertThat(events).containsExactly("available=true", "added 127.0.0.1:9003", "removed 127.0.0.1:9002");
            pool.released(held);
            assertThat(kept.activeConnections()).isZero();
        }
    }

    @Test
    void replacingEveryMemberLeavesThePoolAvailableThroughout() {
        try (Pool pool = pool(BalancingStrategy.roundRobin(), PoolSettings.STATIC, at(9001))) {
            PoolChanges changes = pool.reconfigure(BalancingStrategy.roundRobin(), PoolSettings.STATIC,
                    List.of(at(9002)), null);

            assertThat(changes.removed()).containsExactly("127.0.0.1:9001");
            assertThat(pool.choose(CLIENT, List.of())).isSameAs(member(pool, 9002));
            await().atMost(Duration.ofSeconds(3)).until(() -> pool.members().size() == 1);
            assertThat(events).containsExactly("available=true", "added 127.0.0.1:9002", "removed 127.0.0.1:9001");
        }
    }

    @Test
    void aRemovedMemberWithALiveConnectionDrainsAndLeavesWithIt() {
        try (Pool pool = pool(BalancingStrategy.leastConnections(), PoolSettings.STATIC, at(9001), at(9002))) {
            PoolMember gone = member(pool, 9002);
            Backend held = pickUntil(pool, gone);

            pool.reconfigure(BalancingStrategy.leastConnections(), PoolSettings.STATIC, List.of(at(9001)), null);

            assertThat(gone.state()).isEqualTo(MemberState.DRAINING);
            assertThat(pool.members()).contains(gone);
            for (int i = 0; i < 50; i++) {
                Backend picked = pool.choose(CLIENT, List.of());
                assertThat(picked).isNotSameAs(gone);
                pool.released(picked);
            }
            assertThat(events).doesNotContain("removed 127.0.0.1:9002");

            pool.released(held);

            await().atMost(Duration.ofSeconds(3)).until(() -> !pool.members().contains(gone));
            assertThat(events).contains("removed 127.0.0.1:9002");
            assertThat(gone.activeConnections()).isZero();
        }
    }

    @Test
    void aDrainingMemberConfiguredAgainIsUsedAgain() throws Exception {
        try (Pool pool = pool(BalancingStrategy.roundRobin(), PoolSettings.STATIC, at(9001), at(9002))) {
            PoolMember back = member(pool, 9002);
            Backend held = pickUntil(pool, back);
            pool.reconfigure(BalancingStrategy.roundRobin(), PoolSettings.STATIC, List.of(at(9001)), null);
            assertThat(back.state()).isEqualTo(MemberState.DRAINING);

            PoolChanges changes = pool.reconfigure(BalancingStrategy.roundRobin(), PoolSettings.STATIC,
                    List.of(at(9001), at(9002)), null);

            assertThat(changes.added()).containsExactly("127.0.0.1:9002");
            assertThat(back.state()).isEqualTo(MemberState.UP);
            assertThat(member(pool, 9002)).isSameAs(back);
            assertThat(back.activeConnections()).isEqualTo(1);
            pool.released(held);
            WaitQueueTest.settle(pool);
            assertThat(pool.members()).containsExactly(member(pool, 9001), back);
            assertThat(events).doesNotContain("removed 127.0.0.1:9002");
        }
    }

    @Test
    void aKeptMemberKeepsItsStateAndItsFailureCount() throws Exception {
        PoolSettings passive = PoolSettings.STATIC.withPassive(2, Duration.ofMinutes(1));
        try (Pool pool = pool(BalancingStrategy.roundRobin(), passive, at(9001), at(9002))) {
            PoolMember failed = member(pool, 9001);
            PoolMember counting = member(pool, 9002);
            pool.connectFailed(pickUntil(pool, failed), new ConnectException("refused"));
            pool.connectFailed(pickUntil(pool, failed), new ConnectException("refused"));
            pool.connectFailed(pickUntil(pool, counting), new ConnectException("refused"));
            WaitQueueTest.settle(pool);
            assertThat(failed.state()).isEqualTo(MemberState.FAILED);

            pool.reconfigure(BalancingStrategy.roundRobin(), passive, List.of(at(9001, 2), at(9002, 2)), null);

            assertThat(failed.state()).isEqualTo(MemberState.FAILED);
            assertThat(counting.state()).isEqualTo(MemberState.UP);
            // Its one failure still counts: one more takes it out.
            pool.connectFailed(pool.choose(CLIENT, List.of()), new ConnectException("refused"));
            WaitQueueTest.settle(pool);
            assertThat(counting.state()).isEqualTo(MemberState.FAILED);
        }
    }

    @Test
    void aNewStrategyDecidesTheNextPicks() {
        try (Pool pool = pool(BalancingStrategy.roundRobin(), PoolSettings.STATIC, at(9001), at(9002), at(9003))) {
            assertThat(picksOfOneClient(pool)).hasSize(3);

            PoolChanges changes = pool.reconfigure(BalancingStrategy.maglev(), PoolSettings.STATIC,
                    List.of(at(9001), at(9002), at(9003)), null);

            assertThat(changes.settings()).containsExactly("strategy=round-robin->maglev");
            assertThat(changes.added()).isEmpty();
            assertThat(changes.removed()).isEmpty();
            assertThat(pool.strategy()).hasToString("maglev");
            assertThat(picksOfOneClient(pool)).as("one client, one member").hasSize(1);
        }
    }

    private static Set<Backend> picksOfOneClient(Pool pool) {
        Set<Backend> picked = new HashSet<>();
        for (int i = 0; i < 30; i++) {
            Backend backend = pool.choose(CLIENT, List.of());
            picked.add(backend);
            pool.released(backend);
        }
        return picked;
    }

    static List<String> strategies() {
        return BalancingStrategy.names();
    }

    @ParameterizedTest
    @MethodSource("strategies")
    void newWeightsShareTheNextPicks(String strategy) {
        try (Pool pool = pool(BalancingStrategy.named(strategy), PoolSettings.STATIC, at(9001), at(9002))) {
            InetSocketAddress[] clients = TestMembers.clients(10_000, 11);
            assertThat(shareOf(pool, member(pool, 9002), clients)).isCloseTo(0.5, within(0.03));


            pool.reconfigure(BalancingStrategy.named(strategy), PoolSettings.STATIC, List.of(at(9001), at(9002, 3)),
                    null);

            assertThat(shareOf(pool, member(pool, 9002), clients)).isCloseTo(0.75, within(0.03));
        }
    }

    private static double shareOf(Pool pool, PoolMember member, InetSocketAddress[] clients) {
        int hits = 0;
        for (InetSocketAddress client : clients) {
            Backend backend = pool.choose(client, List.of());
            hits += backend == member ? 1 : 0;
            pool.released(backend);
        }
        return hits / (double) clients.length;
    }

    @Test
    void aBackupFlagAndALimitApplyToTheKeptMember() {
        try (Pool pool = pool(BalancingStrategy.roundRobin(), PoolSettings.STATIC, at(9001), at(9002))) {
            PoolMember second = member(pool, 9002);

            PoolChanges changes = pool.reconfigure(BalancingStrategy.roundRobin(), PoolSettings.STATIC,
                    List.of(at(9001), new BackendSpec("127.0.0.1", 9002, 1, true, 1)), null);

            assertThat(changes.changed()).containsExactly("127.0.0.1:9002(backup=false->true,max-connections=0->1)");
            assertThat(second.backup()).isTrue();
            assertThat(second.maxConnections()).isEqualTo(1);
            assertThat(picksOfOneClient(pool)).containsExactly(member(pool, 9001));
        }
    }

    @Test
    void aRaisedLimitServesTheWaitersAtOnce() {
        try (Pool pool = pool(BalancingStrategy.roundRobin(), PoolSettings.STATIC.withMaxConnections(1), at(9001))) {
            PoolMember only = member(pool, 9001);
            Backend held = pool.choose(CLIENT, List.of());
            QueuedClient first = new QueuedClient();
            QueuedClient second = new QueuedClient();
            assertThat(pool.awaitBackend(first)).isNull();
            assertThat(pool.awaitBackend(second)).isNull();

            PoolChanges changes = pool.reconfigure(BalancingStrategy.roundRobin(),
                    PoolSettings.STATIC.withMaxConnections(2), List.of(at(9001)), null);

            assertThat(changes.settings()).containsExactly("max-connections=1->2");
            assertThat(first.reserved()).isSameAs(only);
            assertThat(second.woken()).isFalse();
            assertThat(only.activeConnections()).isEqualTo(2);
            assertThat(pool.waiting()).isEqualTo(1);
            assertThat(second.leave(pool)).isTrue();
            pool.released(held);
            pool.released(first.reserved());
            assertThat(only.activeConnections()).isZero();
        }
    }

    @Test
    void theConnectPolicyIsSwapped() {
        ConnectPolicy before = new ConnectPolicy(3, Duration.ofSeconds(10), Duration.ZERO);
        ConnectPolicy after = new ConnectPolicy(2, Duration.ofSeconds(10), Duration.ofSeconds(5));
        try (Pool pool = Pool.builder("policy", BalancingStrategy.roundRobin(), List.of(at(9001)))
                .settings(PoolSettings.STATIC).connectPolicy(before).build()) {
            PoolChanges changes = pool.reconfigure(BalancingStrategy.roundRobin(), PoolSettings.STATIC,
                    List.of(at(9001)), after);

            assertThat(pool.connectPolicy()).isSameAs(after);
            assertThat(changes.settings()).containsExactly("connect-tries=3->2", "queue-timeout=0ms->5000ms");
            assertThat(pool.reconfigure(BalancingStrategy.roundRobin(), PoolSettings.STATIC, List.of(at(9001)),
                    after).isEmpty()).isTrue();
        }
    }

    @Test
    void whatCannotBeAppliedChangesNothing() {
        records.set(List.of(TestMembers.address(new byte[] {127, 0, 0, 2})));
        try (Pool pool = pool(BalancingStrategy.roundRobin(), PoolSettings.STATIC, at(9001), at(9002))) {
            List<PoolMember> before = pool.members();

            assertThatThrownBy(() -> pool.reconfigure(BalancingStrategy.maglev(), PoolSettings.STATIC, List.of(),
                    null)).isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("backends: [] (expected: at least one backend)");
            assertThatThrownBy(() -> pool.reconfigure(BalancingStrategy.maglev(), PoolSettings.STATIC,
                    List.of(at(9003), new BackendSpec("nowhere.test", 9004, 1, false)), null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("backend nowhere.test:9004: host does not resolve");
            assertThatThrownBy(() -> pool.reconfigure(BalancingStrategy.maglev(),
                    CheckLoops.settings(CheckLoops.check(HealthCheckType.TCP, 100, 100, 1, 1)), List.of(at(9003)),
                    null)).isInstanceOf(IllegalStateException.class)
                    .hasMessage("pool re: a tcp health check needs healthCheckTransport(loops, channels)");

            assertThat(pool.members()).isEqualTo(before);
            assertThat(pool.members()).allSatisfy(m -> assertThat(m.state()).isEqualTo(MemberState.UP));
            assertThat(pool.strategy()).hasToString("round-robin");
            assertThat(pool.settings()).isEqualTo(PoolSettings.STATIC);
        }
        Pool closed = pool(BalancingStrategy.roundRobin(), PoolSettings.STATIC, at(9001));
        closed.close();
        assertThatThrownBy(() -> closed.reconfigure(BalancingStrategy.roundRobin(), PoolSettings.STATIC,
                List.of(at(9002)), null)).isInstanceOf(IllegalStateException.class).hasMessage("pool re: closed");
    }

    @Test
    void aNewHostnameResolvesAndAKnownOneKeepsItsMembers() {
        InetAddress two = TestMembers.address(new byte[] {127, 0, 0, 2});
        InetAddress three = TestMembers.address(new byte[] {127, 0, 0, 3});
        records.set(List.of(two));
        try (Pool pool = pool(BalancingStrategy.roundRobin(), PoolSettings.STATIC, at(9000))) {
            pool.start();
            PoolChanges added = pool.reconfigure(BalancingStrategy.roundRobin(), PoolSettings.STATIC,
                    List.of(at(9000), new BackendSpec(HOST, 9001, 1, false)), null);
            assertThat(added.added()).containsExactly("127.0.0.2:9001");
            PoolMember resolved = pool.members().get(1);
            assertThat(resolved.host()).isEqualTo(HOST);

            // Known now: a reconfiguration does not look it up again, DNS refresh does.
            records.set(List.of(three));
            PoolChanges reweighed = pool.reconfigure(BalancingStrategy.roundRobin(), PoolSettings.STATIC,
                    List.of(at(9000), new BackendSpec(HOST, 9001, 2, false)), null);
            assertThat(reweighed.changed()).containsExactly("127.0.0.2:9001(weight=1->2)");
            assertThat(pool.members()).containsExactly(member(pool, 9000), resolved);

            PoolChanges refreshing = pool.reconfigure(BalancingStrategy.roundRobin(),
                    PoolSettings.STATIC.withResolveInterval(Duration.ofMillis(20)),
                    List.of(at(9000), new BackendSpec(HOST, 9001, 2, false)), null);
            assertThat(refreshing.settings()).containsExactly("resolve-interval=0ms->20ms");
            await().atMost(Duration.ofSeconds(3)).until(() -> resolved.state() == MemberState.DRAINING
                    && pool.members().stream().anyMatch(m -> m.name().equals("127.0.0.3:9001")));
            assertThat(pool.members().stream().filter(m -> m.name().equals("127.0.0.3:9001")).findFirst()
                    .orElseThrow().weight()).isEqualTo(2);
        }
    }

    @Test
    void changedHealthChecksRestartAndRemovedOnesLeaveMembersUp() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        try (Pool pool = loops.pool("checks", PoolSettings.STATIC, List.of(CheckLoops.local(closedPort))).build()) {
            pool.start();
            PoolMember member = pool.members().get(0);
            assertThat(member.state()).isEqualTo(MemberState.UP);

            PoolChanges checked = pool.reconfigure(BalancingStrategy.roundRobin(),
                    CheckLoops.settings(CheckLoops.check(HealthCheckType.TCP, 50, 100, 1, 1)),
                    List.of(CheckLoops.local(closedPort)), null);
            assertThat(checked.settings()).containsExactly("health-check=none->tcp");
            await().atMost(Duration.ofSeconds(3)).until(() -> member.state() == MemberState.DOWN);

            pool.reconfigure(BalancingStrategy.roundRobin(), PoolSettings.STATIC,
                    List.of(CheckLoops.local(closedPort)), null);
            assertThat(member.state()).isEqualTo(MemberState.UP);
            // The checks stopped, and a verdict of theirs still under way is dropped: with them, fall = 1 would
            // take it down within 50 ms.
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2))
                    .until(() -> member.state() == MemberState.UP);
            assertThat(pool.choose(CLIENT, List.of())).isSameAs(member);
        }
    }
}
