package dev.forwarder.balancer;

import dev.forwarder.balancer.health.HealthCheckType;
import dev.forwarder.core.Backend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Drain, disable and enable set by an operator: picks, counters, checks and reconfigurations. */
class AdminStateTest {

    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40000);
    private static final String A = "127.0.0.1:9001";
    private static final String B = "127.0.0.1:9002";

    private final CheckLoops loops = new CheckLoops();

    @AfterEach
    void stopLoops() {
        loops.close();
    }

    @Test
    void aDrainedMemberIsNeverPickedByAnyStrategyAndItsOpenConnectionsKeepCounting() {
        for (String strategy : List.of("round-robin", "least-connections", "random-two", "maglev")) {
            try (Pool pool = Pool.of("p", BalancingStrategy.named(strategy), TestMembers.specs(3))) {
                PoolMember a = pool.member(A);
                Backend held = pickUntil(pool, a);
                MemberAdmin set = pool.setAdminState(A, AdminState.DRAINING, "test");

                assertThat(set.state()).isEqualTo(AdminState.DRAINING);
                assertThat(set.by()).isEqualTo("test");
                assertThat(picked(pool, 300)).as(strategy).doesNotContain(A).isNotEmpty();
                assertThat(a.activeConnections()).isEqualTo(1);
                assertThat(a.state()).isEqualTo(MemberState.UP);
                pool.released(held);
                assertThat(a.activeConnections()).isZero();
                // Unlike a member gone from the config, it stays in the pool.
                assertThat(pool.members()).contains(a);

                pool.setAdminState(A, AdminState.ENABLED, "test");
                assertThat(picked(pool, 300)).as(strategy).contains(A);
            }
        }
    }

    @Test
    void aPoolWhoseMembersAreAllDrainedHasNothingAvailable() {
        try (Pool pool = Pool.of("p", BalancingStrategy.roundRobin(), TestMembers.specs(2))) {
            pool.setAdminState(A, AdminState.DRAINING, "test");
            pool.setAdminState(B, AdminState.DISABLED, "test");
            assertThat(pool.available()).isFalse();
            assertThat(pool.choose(CLIENT, List.of())).isNull();
            pool.setAdminState(B, AdminState.ENABLED, "test");
            assertThat(pool.available()).isTrue();
        }
    }

    @Test
    void settingTheSameStateKeepsWhoSetItFirst() {
        try (Pool pool = Pool.of("p", BalancingStrategy.roundRobin(), TestMembers.specs(2))) {
            assertThat(pool.member(A).admin().by()).isEqualTo("config");
            MemberAdmin first = pool.setAdminState(A, AdminState.DRAINING, "alice");
            MemberAdmin again = pool.setAdminState(A, AdminState.DRAINING, "bob");
            assertThat(again).isEqualTo(first);
            assertThat(pool.member(A).reason()).contains("admin_state=draining").contains("by=alice");
        }
    }

    @Test
    void anUnknownMemberIsAnArgumentError() {
        try (Pool pool = Pool.of("p", BalancingStrategy.roundRobin(), TestMembers.specs(2))) {
            assertThatThrownBy(() -> pool.setAdminState("127.0.0.1:1", AdminState.DRAINING, "test"))
                    .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("127.0.0.1:9001");
            assertThatThrownBy(() -> pool.setWeight(A, 0, "test")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("expected: 1-256");
        }
    }

    @Test
    void theAdminStateAndARuntimeWeightSurviveAReconfigurationThatKeepsTheMember() {
        try (Pool pool = Pool.of("p", BalancingStrategy.roundRobin(), TestMembers.specs(2))) {
            pool.setAdminState(A, AdminState.DRAINING, "test");
            pool.setWeight(B, 5, "test");
            List<BackendSpec> more = TestMembers.specs(3);
            pool.reconfigure(BalancingStrategy.leastConnections(), PoolSettings.STATIC, more, null);

            assertThat(pool.member(A).adminState()).isEqualTo(AdminState.DRAINING);
            assertThat(pool.member(B).weight()).isEqualTo(5);
            assertThat(pool.member(B).configuredWeight()).isEqualTo(1);
            assertThat(pool.member("127.0.0.1:9003").adminState()).isEqualTo(AdminState.ENABLED);
            assertThat(picked(pool, 100)).doesNotContain(A);

            // The file changes B's weight: the file wins.
            List<BackendSpec> reweighed = List.of(more.get(0), new BackendSpec("127.0.0.1", 9002, 2, false), more.get(2));
            pool.reconfigure(BalancingStrategy.leastConnections(), PoolSettings.STATIC, reweighed, null);
            assertThat(pool.member(B).weight()).isEqualTo(2);
            assertThat(pool.member(B).runtimeWeight()).isZero();
            assertThat(pool.member(A).adminState()).isEqualTo(AdminState.DRAINING);
        }
    }

    @Test
    void aRuntimeWeightChangesTheShareOfPicks() {
        try (Pool pool = Pool.of("p", BalancingStrategy.roundRobin(), TestMembers.specs(2))) {
            assertThat(pool.setWeight(A, 3, "test")).isEqualTo(1);
            assertThat(pool.member(A).effectiveWeight()).isEqualTo(3.0);
            int hits = 0;
            for (int i = 0; i < 400; i++) {
                Backend backend = pool.choose(CLIENT, List.of());
                hits += backend.name().equals(A) ? 1 : 0;
                pool.released(backend);
            }
            assertThat(hits).isEqualTo(300);
        }
    }

    @Test
    void enablingADrainedMemberGoesThroughSlowStart() {
        PoolSettings settings = PoolSettings.STATIC.withSlowStart(Duration.ofSeconds(30));
        try (Pool pool = Pool.builder("p", BalancingStrategy.roundRobin(), TestMembers.specs(2)).settings(settings)
                .build()) {
            PoolMember a = pool.member(A);
            assertThat(a.effectiveWeight()).isEqualTo(1.0);
            pool.setAdminState(A, AdminState.DRAINING, "test");
            pool.setAdminState(A, AdminState.ENABLED, "test");
            assertThat(a.effectiveWeight()).isLessThan(0.5);
        }
    }

    @Test
    void disablingStopsHealthChecksWhileDrainingKeepsThem() throws Exception {
        try (ReplyServer server = new ReplyServer("+PONG\r\n");
                Pool pool = loops.pool("checked", CheckLoops.settings(CheckLoops.check(HealthCheckType.TCP, 50, 200,
                        1, 1)), List.of(CheckLoops.local(server.port()))).build()) {
            pool.start();
            PoolMember member = pool.members().get(0);
            await().atMost(Duration.ofSeconds(5)).until(() -> member.state() == MemberState.UP);

            pool.setAdminState(member.name(), AdminState.DRAINING, "test");
            LastCheck before = member.lastCheck();
            await().atMost(Duration.ofSeconds(5)).until(() -> member.lastCheck() != before);

            pool.setAdminState(member.name(), AdminState.DISABLED, "test");
            // A check under way when it was disabled may still finish; after that, none starts.
            await().atMost(Duration.ofSeconds(2)).until(() -> member.lastCheck().at()
                    .isBefore(java.time.Instant.now().minusMillis(300)));
            LastCheck stopped = member.lastCheck();
            await().during(Duration.ofMillis(400)).atMost(Duration.ofSeconds(1))
                    .until(() -> member.lastCheck() == stopped);
            assertThat(pool.choose(CLIENT, List.of())).isNull();

            // Back from disabled, its health starts over (initial-state down), then the checks bring it up.
            pool.setAdminState(member.name(), AdminState.ENABLED, "test");
            await().atMost(Duration.ofSeconds(5)).until(() -> member.lastCheck() != stopped
                    && member.state() == MemberState.UP);
            Backend picked = pool.choose(CLIENT, List.of());
            assertThat(picked).isSameAs(member);
            pool.released(picked);
        }
    }

    @Test
    void listenersHearAdminChanges() {
        try (Pool pool = Pool.of("p", BalancingStrategy.roundRobin(), TestMembers.specs(2))) {
            List<String> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
            pool.addListener(new PoolListener() {
                @Override
                public void memberAdminChanged(Pool p, PoolMember member, AdminState from, AdminState to) {
                    heard.add(member.name() + " " + from.label() + "->" + to.label());
                }
            });
            pool.setAdminState(A, AdminState.DISABLED, "test");
            pool.setAdminState(A, AdminState.ENABLED, "test");
            await().atMost(Duration.ofSeconds(2)).until(() -> heard.size() == 2);
            assertThat(heard).containsExactly(A + " enabled->disabled", A + " disabled->enabled");
        }
    }

    private static Backend pickUntil(Pool pool, PoolMember wanted) {
        List<Backend> others = new ArrayList<>();
        try {
            for (int i = 0; i < 1_000; i++) {
                Backend picked = pool.choose(new InetSocketAddress("10.0.0." + (i % 250 + 1), 40000), List.of());
                if (picked == wanted) {
                    return picked;
                }
                others.add(picked);
            }
            throw new AssertionError("never picked " + wanted);
        } finally {
            others.forEach(pool::released);
        }
    }

    private static Set<String> picked(Pool pool, int picks) {
        Set<String> names = new HashSet<>();
        for (int i = 0; i < picks; i++) {
            Backend backend = pool.choose(new InetSocketAddress("10.0.1." + (i % 250 + 1), 40000 + i), List.of());
            if (backend != null) {
                names.add(backend.name());
                pool.released(backend);
            }
        }
        return names;
    }
}
