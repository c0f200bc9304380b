package dev.forwarder.balancer;

import dev.forwarder.core.Backend;

import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntFunction;

/**
 * Threads that each keep a few of a pool's connections open, started together: before each new pick the
 * thread ends the connection in that slot, as released or (every eighth pick) as a failed connect, and at the
 * end it releases what it still holds. The pool's counts must then be back at zero.
 */
final class ConcurrentChurn {

    private ConcurrentChurn() {
    }

    static void run(Pool pool, int threads, int picksPerThread, int openPerThread,
            IntFunction<InetSocketAddress> clientOfPick, Consumer<Backend> onPick) throws Exception {
        CountDownLatch start = new CountDownLatch(1);
        ExecutorService executor = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                done.add(executor.submit(() -> {
                    start.await();
                    Backend[] open = new Backend[openPerThread];
                    for (int i = 0; i < picksPerThread; i++) {
                        int slot = i % open.length;
                        if (open[slot] != null) {
                            if ((i & 7) == 0) {
                                pool.connectFailed(open[slot], new ConnectException("refused"));
                            } else {
                                pool.released(open[slot]);
                            }
                        }
                        open[slot] = pool.choose(clientOfPick.apply(i), List.of());
                        onPick.accept(open[slot]);
                    }
                    for (Backend backend : open) {
                        if (backend != null) {
                            pool.released(backend);
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : done) {
                future.get(60, TimeUnit.SECONDS);
            }
        } finally {
            executor.shutdownNow();
        }
    }
}
