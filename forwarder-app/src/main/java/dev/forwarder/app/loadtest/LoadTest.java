package dev.forwarder.app.loadtest;

import dev.forwarder.core.transport.TransportKit;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.util.concurrent.Future;
import org.HdrHistogram.Histogram;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * Runs one load test: starts the workers, reports progress each second, resets the figures at the end of the
 * warm-up, stops after the duration and returns the {@link Summary}. Blocks the calling thread for the warm-up
 * plus the duration, plus at most a few seconds to close.
 */
public final class LoadTest {

    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
    private static final long CLOSE_WAIT_MILLIS = 3_000;

    private final LoadSettings settings;

    public LoadTest(LoadSettings settings) {
        this.settings = settings;
    }

    /**
     * Runs the test.
     *
     * @param progress receives one {@link Progress} a second (on the calling thread)
     */
    public Summary run(Consumer<Progress> progress) throws InterruptedException {
        InetSocketAddress target = resolve(settings.target());
        TransportKit kit = TransportKit.of(settings.transport());
        EventLoopGroup group = kit.newEventLoopGroup(settings.threads(), "loadtest");
        ByteBuf payload = Unpooled.directBuffer(settings.size()).writeZero(settings.size());
        Stats stats = new Stats();
        List<Worker> workers = new ArrayList<>(settings.connections());
        try {
            Bootstrap bootstrap = new Bootstrap()
                    .group(group)
                    .channelFactory((ChannelFactory<Channel>) kit::newClientChannel)
                    .option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE,
                            settings.timeout().toMillis()))
                    .option(ChannelOption.WRITE_BUFFER_WATER_MARK, settings.mode() == Mode.BULK
                            ? new WriteBufferWaterMark(256 * 1024, 512 * 1024) : WriteBufferWaterMark.DEFAULT);
            long start = System.nanoTime();
            for (int i = 0; i < settings.connections(); i++) {
                workers.add(newWorker(i, start, group, bootstrap, target, payload, stats));
            }
            workers.forEach(Worker::start);
            Summary summary = measure(start, stats, progress);
            List<Worker> stopping = List.copyOf(workers);
            workers.clear();
            return summary.withUnanswered(stop(stopping));
        } finally {
            stop(workers);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS).await(CLOSE_WAIT_MILLIS, TimeUnit.MILLISECONDS);
            payload.release();
        }
    }

    /** Stops the workers and returns how many had a request out; waits at most {@link #CLOSE_WAIT_MILLIS}. */
    private static int stop(List<Worker> workers) throws InterruptedException {
        List<Future<Boolean>> closing = new ArrayList<>(workers.size());
        workers.forEach(w -> closing.add(w.stop()));
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CLOSE_WAIT_MILLIS);
        int outstanding = 0;
        for (Future<Boolean> f : closing) {
            if (f.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)
                    && Boolean.TRUE.equals(f.getNow())) {
                outstanding++;
            }
        }
        return outstanding;
    }

    private Worker newWorker(int index, long start, EventLoopGroup group, Bootstrap bootstrap,
            InetSocketAddress target, ByteBuf payload, Stats stats) {
        var loop = group.next();
        if (settings.mode() == Mode.BULK) {
            return new BulkWorker(loop, bootstrap, target, payload, stats);
        }
        Pacer pacer = Pacer.closed();
        if (settings.openModel()) {
            // Each connection sends every connections/rate seconds; staggered, so together they send evenly.
            double perRequest = SECOND / settings.rate();
            pacer = Pacer.open(start + Math.round(index * perRequest),
                    Math.max(1, Math.round(perRequest * settings.connections())));
        }
        return new RequestWorker(loop, bootstrap, target, payload, settings.mode() == Mode.RR, pacer, stats,
                settings.timeout().toNanos());
    }

    private Summary measure(long start, Stats stats, Consumer<Progress> progress) {
        long warmupEnd = start + settings.warmup().toNanos();
        long end = warmupEnd + settings.duration().toNanos();
        boolean warming = settings.warmup().toNanos() > 0;
        Histogram interval = null;
        Histogram total = new Histogram(3);
        long measureStart = start;
        long lastTick = start;
        long lastRequests = 0;
        long lastSent = 0;
        long lastReceived = 0;
        for (long tick = start + SECOND; ; tick += SECOND) {
            long boundary = warming ? Math.min(tick, warmupEnd) : Math.min(tick, end);
            parkUntil(boundary);
            long now = System.nanoTime();
            interval = stats.takeInterval(interval);
            long requests = stats.requests();
            long sent = stats.bytesSent();
            long received = stats.bytesReceived();
            double seconds = (now - lastTick) / 1e9;
            progress.accept(new Progress(settings.mode(), (now - start) / 1e9, warming,
                    (requests - lastRequests) / seconds, (sent - lastSent) / seconds,
                    (received - lastReceived) / seconds, stats.errorCount(), interval));
            lastTick = now;
            if (warming && boundary == warmupEnd) {
                warming = false;
                stats.reset();
                total.reset();
                interval.reset();
                measureStart = now;
                lastRequests = lastSent = lastReceived = 0;
                tick = warmupEnd;
                continue;
            }
            total.add(interval);
            lastRequests = requests;
            lastSent = sent;
            lastReceived = received;
            if (boundary == end) {
                // Requests from the histogram, so that the count and the percentiles cover the same requests.
                return new Summary(settings, (now - measureStart) / 1e9,
                        settings.mode() == Mode.BULK ? 0 : total.getTotalCount(), stats.bytesSent(),
                        stats.bytesReceived(), stats.errors(), 0, settings.mode() == Mode.BULK ? null : total);
            }
        }
    }

    private static void parkUntil(long deadline) {
        for (long left; (left = deadline - System.nanoTime()) > 0; ) {
            LockSupport.parkNanos(left);
        }
    }

    private static InetSocketAddress resolve(InetSocketAddress address) {
        InetSocketAddress resolved = address.isUnresolved()
                ? new InetSocketAddress(address.getHostString(), address.getPort()) : address;
        if (resolved.isUnresolved()) {
            throw new IllegalArgumentException("target: cannot resolve " + address.getHostString());
        }
        return resolved;
    }

    /**
     * The last second, as reported while the test runs.
     *
     * @param latency the latencies (nanoseconds) completed in that second; valid only during the callback
     */
    public record Progress(Mode mode, double elapsedSeconds, boolean warmup, double requestsPerSecond,
            double sentBytesPerSecond, double receivedBytesPerSecond, long errors, Histogram latency) {
    }
}
