package dev.forwarder.balancer;

import dev.forwarder.core.Backend;
import dev.forwarder.core.CloseReason;
import dev.forwarder.core.Waiter;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The queue of connections waiting for room: they leave it at once, are served in arrival order with the slot a
 * connection just freed, and new clients queue behind them.
 */
class WaitQueueTest {

    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40000);

    private static Pool limited(int members, int max) {
        return Pool.builder("queue", BalancingStrategy.roundRobin(), TestMembers.specs(members))
                .settings(PoolSettings.STATIC.withMaxConnections(max)).build();
    }

    private static QueuedClient queue(Pool pool) {
        QueuedClient client = new QueuedClient();
        assertThat(pool.awaitBackend(client)).isNull();
        return client;
    }

    @Test
    void aWaiterThatLeavesIsOutOfTheQueueAtOnce() {
        try (Pool pool = limited(1, 1)) {
            Backend held = pool.choose(CLIENT, List.of());
            QueuedClient gone = queue(pool);
            QueuedClient staying = queue(pool);
            assertThat(pool.waiting()).isEqualTo(2);

            assertThat(gone.leave(pool)).isTrue();

            assertThat(pool.waiting()).isEqualTo(1);
            pool.released(held);
            assertThat(gone.wakes()).isZero();
            assertThat(staying.reserved()).isSameAs(held);
            assertThat(pool.waiting()).isZero();
        }
    }

    @Test
    void waitersAreServedInArrivalOrderWithTheFreedSlot() {
        try (Pool pool = limited(1, 1)) {
            PoolMember member = pool.members().get(0);
            Backend held = pool.choose(CLIENT, List.of());
            QueuedClient first = queue(pool);
            QueuedClient second = queue(pool);
            QueuedClient third = queue(pool);

            pool.released(held);
            assertThat(first.reserved()).isSameAs(member);
            assertThat(second.woken()).isFalse();
            assertThat(member.activeConnections()).isEqualTo(1);

            pool.released(first.reserved());
            assertThat(second.reserved()).isSameAs(member);
            assertThat(third.woken()).isFalse();

            pool.released(second.reserved());
            assertThat(third.reserved()).isSameAs(member);
            assertThat(pool.waiting()).isZero();

            pool.released(third.reserved());
            assertThat(member.activeConnections()).isZero();
        }
    }

    @Test
    void aMemberThatComesUpServesTheFirstWaiter() throws Exception {
        try (Pool pool = Pool.builder("back", BalancingStrategy.roundRobin(), TestMembers.specs(2))
                .settings(PoolSettings.STATIC.withMaxConnections(1).withPassive(1, Duration.ofMillis(500))).build()) {
            PoolMember first = pool.members().get(0);
            PoolMember second = pool.members().get(1);
            assertThat(pool.choose(CLIENT, List.of())).isSameAs(first);
            pool.connectFailed(pool.choose(CLIENT, List.of()), new ConnectException("refused"));
            settle(pool);
            assertThat(second.state()).isEqualTo(MemberState.FAILED);
            QueuedClient early = queue(pool);
            QueuedClient late = queue(pool);

            await().atMost(Duration.ofSeconds(3)).until(early::woken);

            assertThat(early.reserved()).isSameAs(second);
            assertThat(late.woken()).isFalse();
            assertThat(pool.waiting()).isEqualTo(1);
            assertThat(late.leave(pool)).isTrue();
        }
    }

    @Test
    void aNewClientDoesNotTakeTheSlotOfAQueuedWaiter() {
        try (Pool pool = limited(2, 1)) {
            Backend first = pool.choose(CLIENT, List.of());
            Backend second = pool.choose(CLIENT, List.of());
            QueuedClient waiter = queue(pool);

            pool.released(first);
            // The waiter's event loop has not run yet; a client accepted meanwhile must not get the slot.
            assertThat(pool.choose(CLIENT, List.of())).isNull();

            assertThat(waiter.reserved()).isSameAs(first);
            pool.released(waiter.reserved());
            pool.released(second);
            assertThat(pool.members()).allSatisfy(m -> assertThat(m.activeConnections()).isZero());
        }
    }

    @Test
    void newClientsQueueBehindWaitersEvenWhileASlotIsBeingHandedOn() {
        try (Pool pool = limited(1, 1)) {
            Backend held = pool.choose(CLIENT, List.of());
            QueuedClient early = queue(pool);
            QueuedClient late = queue(pool);
            pool.released(held);
            assertThat(pool.choose(CLIENT, List.of())).as("while one still waits").isNull();
            QueuedClient latest = queue(pool);

            pool.released(early.reserved());
            pool.released(late.reserved());

            assertThat(latest.reserved()).isSameAs(held);
            pool.released(latest.reserved());
            assertThat(pool.waiting()).isZero();
            assertThat(pool.choose(CLIENT, List.of())).as("once nobody waits").isSameAs(held);
        }
    }

    @Test
    void aSlotRefusedByAWaiterThatLeftGoesToTheNextOne() {
        try (Pool pool = limited(1, 1)) {
            PoolMember member = pool.members().get(0);
            Backend held = pool.choose(CLIENT, List.of());
            QueuedClient gone = queue(pool);
            // Gone too, but its cancelWait has not arrived: it refuses the slot.
            RefusingWaiter refusing = new RefusingWaiter();
            assertThat(pool.awaitBackend(refusing)).isNull();
            QueuedClient next = queue(pool);
            gone.leave(pool);

            pool.released(held);

            assertThat(next.reserved()).isSameAs(member);
            assertThat(member.activeConnections()).isEqualTo(1);
            pool.released(next.reserved());
            assertThat(refusing.wakes).hasValue(1);
            assertThat(gone.wakes()).isZero();
            assertThat(member.activeConnections()).isZero();
            assertThat(pool.waiting()).isZero();
        }
    }

    @Test
    void aSlotNoWaiterTakesIsFreed() {
        try (Pool pool = limited(1, 1)) {
            PoolMember member = pool.members().get(0);
            Backend held = pool.choose(CLIENT, List.of());
            RefusingWaiter refusing = new RefusingWaiter();
            assertThat(pool.awaitBackend(refusing)).isNull();

            pool.released(held);

            assertThat(refusing.wakes).hasValue(1);
            assertThat(member.activeConnections()).isZero();
            assertThat(pool.waiting()).isZero();
            assertThat(pool.choose(CLIENT, List.of())).isSameAs(member);
        }
    }

    @Test
    void overMaxQueueAClientIsClosedWithQueueFull() {
        try (Pool pool = Pool.builder("bounded", BalancingStrategy.roundRobin(), TestMembers.specs(1))
                .settings(PoolSettings.STATIC.withMaxConnections(1).withMaxQueue(2)).build()) {
            Backend held = pool.choose(CLIENT, List.of());
            QueuedClient first = queue(pool);
            queue(pool);

            assertThat(pool.awaitBackend(new QueuedClient())).isEqualTo(CloseReason.QUEUE_FULL);
            assertThat(pool.waiting()).isEqualTo(2);

            first.leave(pool);
            QueuedClient room = queue(pool);
            assertThat(pool.waiting()).isEqualTo(2);
            pool.released(held);
            assertThat(room.woken()).isFalse();
        }
    }

    @Test
    void anAbandonedPickFreesItsSlotAndCountsNeitherAsFailureNorAsSuccess() throws Exception {
        try (Pool pool = Pool.builder("abandon", BalancingStrategy.roundRobin(), TestMembers.specs(1))
                .settings(PoolSettings.STATIC.withPassive(2, Duration.ofMinutes(1)).withMaxConnections(1)).build()) {
            PoolMember member = pool.members().get(0);
            pool.connectFailed(pool.choose(CLIENT, List.of()), new ConnectException("refused"));

            Backend abandoned = pool.choose(CLIENT, List.of());
            QueuedClient waiter = queue(pool);
            pool.abandoned(abandoned);
            assertThat(waiter.reserved()).as("the freed slot goes on").isSameAs(member);
            pool.abandoned(waiter.reserved());
            settle(pool);
            assertThat(member.activeConnections()).isZero();
            assertThat(member.state()).as("an abandoned pick is no failure").isEqualTo(MemberState.UP);

            // Nor a success: the failure before the abandoned picks still counts.
            pool.connectFailed(pool.choose(CLIENT, List.of()), new ConnectException("refused"));
            settle(pool);
            assertThat(member.state()).isEqualTo(MemberState.FAILED);
        }
    }

    /** Waits until the control thread has run everything queued before now. */
    static void settle(Pool pool) throws InterruptedException {
        CountDownLatch done = new CountDownLatch(1);
        pool.control().execute(done::countDown);
        assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aWaiterArrivingAfterTheLastReleaseIsServedAtOnce() {
        try (Pool pool = limited(1, 1)) {
            QueuedClient waiter = queue(pool);
            assertThat(waiter.reserved()).isSameAs(pool.members().get(0));
            assertThat(pool.waiting()).isZero();
        }
    }

    @Test
    void noBackendWhenNothingIsUp() throws Exception {
        try (Pool pool = Pool.builder("down", BalancingStrategy.roundRobin(), TestMembers.specs(1))
                .settings(PoolSettings.STATIC.withPassive(1, Duration.ofMinutes(1))).build()) {
            pool.connectFailed(pool.choose(CLIENT, List.of()), new ConnectException("refused"));
            settle(pool);
            assertThat(pool.awaitBackend(new QueuedClient())).isEqualTo(CloseReason.NO_BACKEND);
            assertThat(pool.waiting()).isZero();
        }
    }

    /** A waiter whose client is gone: it refuses every wake-up. */
    private static final class RefusingWaiter implements Waiter {
        final AtomicInteger wakes = new AtomicInteger();

        @Override
        public boolean wake(Backend reserved) {
            wakes.incrementAndGet();
            return false;
        }
    }
}
