package dev.forwarder.app.loadtest;

import dev.forwarder.core.Transport;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Objects;

/**
 * One load test, validated.
 *
 * @param target       where to connect (resolved once, at start)
 * @param mode         what each connection does
 * @param connections  concurrent connections (rr, bulk) or concurrent connect-send-read-close loops (churn)
 * @param duration     how long to measure, after the warm-up
 * @param warmup       how long to run before measuring; what happens then is not counted
 * @param rate         requests per second over all connections (open model), or 0 for as fast as answers come
 *                     back (closed model); not for bulk
 * @param size         bytes sent per request, and expected back (rr, churn); bytes per write (bulk)
 * @param timeout      time allowed for one answer; the connection is then closed and a timeout counted
 * @param threads      event-loop threads of the client
 * @param transport    Netty transport of the client
 */
public record LoadSettings(InetSocketAddress target, Mode mode, int connections, Duration duration, Duration warmup,
        double rate, int size, Duration timeout, int threads, Transport transport) {

    /** Bytes per request in rr and churn, when not given. */
    public static final int DEFAULT_REQUEST_SIZE = 100;
    /** Bytes per write in bulk, when not given. */
    public static final int DEFAULT_BULK_SIZE = 64 * 1024;

    public LoadSettings {
        Objects.requireNonNull(target, "target");
        Objects.requireNonNull(mode, "mode");
        Objects.requireNonNull(transport, "transport");
        check(connections >= 1 && connections <= 100_000, "connections: %s (expected: 1-100000)", connections);
        check(!duration.isNegative() && !duration.isZero(), "duration: %s (expected: > 0)", duration);
        check(!warmup.isNegative(), "warmup: %s (expected: >= 0)", warmup);
        check(rate >= 0 && rate <= 10_000_000, "rate: %s (expected: 0-10000000 requests/s; 0 = closed model)", rate);
        check(rate == 0 || mode != Mode.BULK, "rate: %s (expected: no rate in bulk mode)", rate);
        check(size >= 1 && size <= 64 << 20, "size: %s (expected: 1 B - 64 MiB)", size);
        check(!timeout.isNegative() && !timeout.isZero(), "timeout: %s (expected: > 0)", timeout);
        check(threads >= 1 && threads <= 1024, "threads: %s (expected: 1-1024)", threads);
    }

    private static void check(boolean ok, String format, Object value) {
        if (!ok) {
            throw new IllegalArgumentException(String.format(format, value));
        }
    }

    /** Whether requests follow a schedule ({@code --rate}) rather than each other. */
    public boolean openModel() {
        return rate > 0;
    }
}
