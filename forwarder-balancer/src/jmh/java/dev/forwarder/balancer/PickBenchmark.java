package dev.forwarder.balancer;

import dev.forwarder.core.Backend;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Picks per second of each strategy through {@link Pool#choose} with two threads sharing one pool. Each operation
 * is one pick: the thread ends its oldest of 16 open connections and chooses a backend for a new one, so the
 * active counts that least-connections and random-two read are live and contended, as on event loops.
 *
 * <p>Run (the {@code jmh} profile is never part of {@code mvn verify}):
 * <pre>
 * mvn -B -q -Pjmh -pl forwarder-balancer -am package -DskipTests
 * java -jar forwarder-balancer/target/benchmarks.jar -f 1 -wi 2 -i 3 -w 2s -r 3s
 * </pre>
 * Add {@code -prof gc} to see allocation per pick.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Threads(2)
@State(Scope.Benchmark)
public class PickBenchmark {

    @Param({"round-robin", "least-connections", "random-two", "maglev"})
    public String strategy;

    @Param({"5", "50"})
    public int backends;

    Pool pool;

    @Setup
    public void buildPool() {
        List<BackendSpec> specs = new ArrayList<>();
        for (int i = 0; i < backends; i++) {
            // Uneven weights (1, 2, 3, ...) so that the weighted paths run.
            specs.add(new BackendSpec("127.0.0." + (1 + i / 200), 9001 + i, 1 + i % 3, false));
        }
        pool = Pool.of("bench", BalancingStrategy.named(strategy), specs);
    }

    /** One event loop's view: its open connections and the clients it serves. */
    @State(Scope.Thread)
    public static class Loop {

        final Backend[] open = new Backend[16];
        final InetSocketAddress[] clients = new InetSocketAddress[1024];
        int next;

        @Setup
        public void makeClients() throws UnknownHostException {
            SplittableRandom random = new SplittableRandom(Thread.currentThread().getId());
            for (int i = 0; i < clients.length; i++) {
                int ip = random.nextInt();
                byte[] bytes = {(byte) (ip >>> 24), (byte) (ip >>> 16), (byte) (ip >>> 8), (byte) ip};
                clients[i] = new InetSocketAddress(InetAddress.getByAddress(bytes), 1024 + random.nextInt(60_000));
            }
        }

        @TearDown(Level.Iteration)
        public void releaseAll(PickBenchmark benchmark) {
            for (int i = 0; i < open.length; i++) {
                if (open[i] != null) {
                    benchmark.pool.released(open[i]);
                    open[i] = null;
                }
            }
        }
    }

    @Benchmark
    public Backend pick(Loop loop) {
        int n = loop.next++;
        int slot = n & 15;
        Backend previous = loop.open[slot];
        if (previous != null) {
            pool.released(previous);
        }
        Backend chosen = pool.choose(loop.clients[n & 1023], List.of());
        loop.open[slot] = chosen;
        return chosen;
    }
}
