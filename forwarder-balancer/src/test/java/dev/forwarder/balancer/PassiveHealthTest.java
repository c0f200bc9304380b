package dev.forwarder.balancer;

import dev.forwarder.core.Backend;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Passive health: consecutive connect failures take a member out for a cool-down (nginx's max_fails). */
class PassiveHealthTest {

    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40000);
    // Long enough that a loaded machine (CI) cannot let it run out between a failure and the checks that follow it
    // (with 300 ms, a member came back while the test still expected it out).
    private static final Duration FAIL_TIMEOUT = Duration.ofSeconds(1);

    private static Pool pool(int maxFails) {
        return Pool.builder("passive", BalancingStrategy.roundRobin(), TestMembers.specs(2))
                .settings(PoolSettings.STATIC.withPassive(maxFails, FAIL_TIMEOUT)).build();
    }

    /** Picks until {@code member} comes up, then fails the connect. */
    private static void failOn(Pool pool, PoolMember member) {
        for (int i = 0; i < 100; i++) {
            Backend picked = pool.choose(CLIENT, List.of());
            if (picked == member) {
                pool.connectFailed(picked, new ConnectException("refused"));
                return;
            }
            pool.released(picked);
        }
        throw new AssertionError(member + " was never picked");
    }

    @Test
    void maxFailsInARowTakeAMemberOutForTheFailTimeoutThenBringItBack() {
        try (Pool pool = pool(3)) {
            PoolMember bad = pool.members().get(0);
            PoolMember good = pool.members().get(1);
            failOn(pool, bad);
            failOn(pool, bad);
            assertThat(bad.state()).isEqualTo(MemberState.UP);
            failOn(pool, bad);
            long failed = System.nanoTime();
            await().atMost(Duration.ofSeconds(5)).until(() -> bad.state() == MemberState.FAILED);
            for (int i = 0; i < 20; i++) {
                Backend picked = pool.choose(CLIENT, List.of());
                assertThat(picked).isSameAs(good);
                pool.released(picked);
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> bad.state() == MemberState.UP);
            assertThat(Duration.ofNanos(System.nanoTime() - failed)).isGreaterThanOrEqualTo(FAIL_TIMEOUT);
            assertThat(bad.activeConnections()).isZero();
            assertThat(good.activeConnections()).isZero();
        }
    }

    @Test
    void aSuccessResetsTheCount() {
        try (Pool pool = pool(2)) {
            PoolMember member = pool.members().get(0);
            failOn(pool, member);
            Backend picked;
            do {
                picked = pool.choose(CLIENT, List.of());
                if (picked != member) {
                    pool.released(picked);
                }
            } while (picked != member);
            pool.connected(member);
            pool.released(member);
            failOn(pool, member);
            // Two failures, but a success between them: still up.
            assertThat(member.state()).isEqualTo(MemberState.UP);
        }
    }

    @Test
    void oneFailureAfterTheCoolDownTakesTheMemberOutAgain() {
        try (Pool pool = pool(3)) {
            PoolMember bad = pool.members().get(0);
            for (int i = 0; i < 3; i++) {
                failOn(pool, bad);
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> bad.state() == MemberState.FAILED);
            await().atMost(Duration.ofSeconds(10)).until(() -> bad.state() == MemberState.UP);
            failOn(pool, bad);
            await().atMost(Duration.ofSeconds(5)).until(() -> bad.state() == MemberState.FAILED);
        }
    }

    @Test
    void failuresFurtherApartThanTheFailTimeoutDoNotAddUp() {
        try (Pool pool = pool(2)) {
            PoolMember member = pool.members().get(0);
            long now = System.nanoTime();
            assertThat(member.recordFailure(now, FAIL_TIMEOUT.toNanos())).isEqualTo(1);
            assertThat(member.recordFailure(now + FAIL_TIMEOUT.toNanos() + 1, FAIL_TIMEOUT.toNanos())).isEqualTo(1);
            assertThat(member.recordFailure(now + FAIL_TIMEOUT.toNanos() + 2, FAIL_TIMEOUT.toNanos())).isEqualTo(2);
        }
    }

    @Test
    void zeroMaxFailsNeverTakesAMemberOut() {
        try (Pool pool = pool(0)) {
            PoolMember member = pool.members().get(0);
            for (int i = 0; i < 10; i++) {
                failOn(pool, member);
            }
            assertThat(member.state()).isEqualTo(MemberState.UP);
        }
    }
}
