package dev.forwarder.balancer;

import dev.forwarder.core.Backend;
import dev.forwarder.core.CloseReason;
import org.junit.jupiter.api.Test;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Threads that pick, queue, leave the queue and end picks (released, abandoned, failed) against a pool far smaller
 * than their demand, as event loops would: a slot is never lost, never doubled, and no waiter is left queued
 * while a slot is free.
 */
class WaitQueueChurnTest {

    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40000);
    private static final int THREADS = 8;
    private static final int PAUSES = 200;
    private static final int ROUNDS = 200;
    private static final int MAX = 2;

    @Test
    void concurrentPicksWaitsAndLeavesEndWithNothingHeldOrQueued() throws Exception {
        try (Pool pool = Pool.builder("churn", BalancingStrategy.leastConnections(), TestMembers.specs(2))
                .settings(PoolSettings.STATIC.withMaxConnections(MAX)).build()) {
            AtomicInteger overLimit = new AtomicInteger();
            AtomicInteger servedWithoutSlot = new AtomicInteger();
            AtomicInteger served = new AtomicInteger();
            AtomicInteger lostWakeUps = new AtomicInteger();
            AtomicInteger miscounts = new AtomicInteger();
            AtomicInteger pausesWithWaiters = new AtomicInteger();
            List<Loop> loops = new CopyOnWriteArrayList<>();
            // Every thread stops now and then. With nobody acting, waiting() is exactly the clients still queued,
            // and they wait for slots that are really taken.
            CyclicBarrier pause = new CyclicBarrier(THREADS, () -> {
                int queued = loops.stream().mapToInt(Loop::stillQueued).sum();
                boolean allFull = pool.members().stream().allMatch(m -> m.activeConnections() >= MAX);
                miscounts.addAndGet(pool.waiting() == queued ? 0 : 1);
                lostWakeUps.addAndGet(queued > 0 && !allFull ? 1 : 0);
                pausesWithWaiters.addAndGet(queued > 0 ? 1 : 0);
            });
            ExecutorService executor = Executors.newFixedThreadPool(THREADS);
            try {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    long seed = t;
                    done.add(executor.submit(() -> {
                        Loop loop = new Loop(pool, new SplittableRandom(seed), overLimit, servedWithoutSlot, served);
                        loops.add(loop);
                        for (int p = 0; p < PAUSES; p++) {
                            for (int i = 0; i < ROUNDS; i++) {
                                loop.round(i);
                            }
                            pause.await(30, TimeUnit.SECONDS);
                        }
                        loop.finish();
                        return null;
                    }));
                }
                for (Future<?> future : done) {
                    future.get(60, TimeUnit.SECONDS);
                }
            } finally {
                executor.shutdownNow();
            }
            assertThat(pausesWithWaiters).as("pauses with waiters").hasPositiveValue();
            assertThat(miscounts).as("pauses where waiting() was not the clients queued").hasValue(0);
            assertThat(lostWakeUps).as("pauses with a waiter queued and a slot free").hasValue(0);
            assertThat(served).as("waiters served").hasPositiveValue();
            assertThat(overLimit).hasValue(0);
            assertThat(servedWithoutSlot).hasValue(0);
            assertThat(pool.waiting()).isZero();
            assertThat(pool.members()).allSatisfy(m -> assertThat(m.activeConnections())
                    .as("active connections of %s", m).isZero());
        }
    }

    /** One event loop: a few connections, a few waiting, each round a step of each. */
    private static final class Loop {
        final Pool pool;
        final SplittableRandom random;
        final AtomicInteger overLimit;
        final AtomicInteger servedWithoutSlot;
        final AtomicInteger served;
        final Deque<Backend> held = new ArrayDeque<>();
        final List<QueuedClient> queued = new ArrayList<>();

        Loop(Pool pool, SplittableRandom random, AtomicInteger overLimit, AtomicInteger servedWithoutSlot,
                AtomicInteger served) {
            this.pool = pool;
            this.random = random;
            this.overLimit = overLimit;
            this.servedWithoutSlot = servedWithoutSlot;
            this.served = served;
        }

        void round(int i) {
            for (Iterator<QueuedClient> it = queued.iterator(); it.hasNext(); ) {
                QueuedClient client = it.next();
                if (client.woken()) {
                    it.remove();
                    took(client.reserved());
                }
            }
            if (!held.isEmpty() && (held.size() >= 2 || random.nextBoolean())) {
                end(held.poll(), i);
            }
            if (!queued.isEmpty() && random.nextInt(4) == 0) {
                QueuedClient client = queued.remove(random.nextInt(queued.size()));
                if (!client.leave(pool)) {
                    took(client.reserved());
                }
            }
            Backend picked = pool.choose(CLIENT, List.of());
            if (picked != null) {
                held.add(picked);
                check(picked);
            } else if (queued.size() < 3) {
                QueuedClient client = new QueuedClient();
                CloseReason refused = pool.awaitBackend(client);
                if (refused == null) {
                    queued.add(client);
                }
            }
        }

        /** Clients queued and neither woken nor gone. */
        int stillQueued() {
            return (int) queued.stream().filter(client -> !client.woken()).count();
        }

        private void took(Backend reserved) {
            served.incrementAndGet();
            if (reserved == null) {
                servedWithoutSlot.incrementAndGet();
                return;
            }
            held.add(reserved);
            check(reserved);
        }

        private void check(Backend backend) {
            if (((PoolMember) backend).activeConnections() > MAX) {
                overLimit.incrementAndGet();
            }
        }

        private void end(Backend backend, int i) {
            switch (i % 3) {
                case 0 -> pool.released(backend);
                case 1 -> pool.abandoned(backend);
                default -> pool.connectFailed(backend, new ConnectException("refused"));
            }
        }

        void endHeld() {
            while (!held.isEmpty()) {
                end(held.poll(), 0);
            }
        }

        /** At the end: everyone leaves, and what a last wake-up handed over is ended too. */
        void finish() {
            for (QueuedClient client : queued) {
                if (!client.leave(pool)) {
                    took(client.reserved());
                }
            }
            queued.clear();
            endHeld();
        }
    }
}
