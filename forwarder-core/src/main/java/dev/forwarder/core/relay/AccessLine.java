package dev.forwarder.core.relay;

import io.netty.util.concurrent.FastThreadLocal;

import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.LocalDate;

/**
 * Cheap pieces of a connection log line, written into a {@link StringBuilder} the calling thread reuses: an
 * event loop formats its close lines without a template, an argument array or a boxed number, and an IPv4 address
 * or an instant without an intermediate string.
 */
final class AccessLine {

    /** A builder that grew past this (a very long list of failed backends) is dropped rather than kept. */
    private static final int KEEP = 4096;
    private static final long DAY_MILLIS = 86_400_000L;

    private static final FastThreadLocal<PerThread> LOCAL = new FastThreadLocal<>() {
        @Override
        protected PerThread initialValue() {
            return new PerThread();
        }
    };

    private AccessLine() {
    }

    /** This thread's builder, emptied. Use it for one line, then let go of it before the next. */
    static StringBuilder builder() {
        PerThread local = LOCAL.get();
        StringBuilder line = local.line;
        if (line.capacity() > KEEP) {
            line = new StringBuilder(512);
            local.line = line;
        }
        line.setLength(0);
        return line;
    }

    /** {@code 127.0.0.1:8080}, {@code [::1]:8080}: as {@link dev.forwarder.core.Addresses#format}. */
    static void address(StringBuilder line, SocketAddress address) {
        if (address instanceof InetSocketAddress inet && inet.getAddress() instanceof Inet4Address v4) {
            byte[] octets = v4.getAddress();
            for (int i = 0; i < 4; i++) {
                line.append(i == 0 ? "" : ".").append(octets[i] & 0xff);
            }
            line.append(':').append(inet.getPort());
            return;
        }
        line.append(dev.forwarder.core.Addresses.format(address));
    }

    /** {@code 2026-11-21T06:52:13.858Z} for {@code epochMillis} (UTC); {@code -} for 0. */
    static void instant(StringBuilder line, long epochMillis) {
        if (epochMillis == 0) {
            line.append('-');
            return;
        }
        long day = Math.floorDiv(epochMillis, DAY_MILLIS);
        PerThread local = LOCAL.get();
        if (day != local.day) {
            local.day = day;
            local.date = LocalDate.ofEpochDay(day).toString() + "T";
        }
        int ofDay = (int) Math.floorMod(epochMillis, DAY_MILLIS);
        line.append(local.date);
        two(line, ofDay / 3_600_000);
        line.append(':');
        two(line, ofDay / 60_000 % 60);
        line.append(':');
        two(line, ofDay / 1000 % 60);
        line.append('.');
        three(line, ofDay % 1000);
        line.append('Z');
    }

    /** Milliseconds from {@code fromNanos} to {@code toNanos} with three decimals ({@code 0.142}); {@code -} if none. */
    static void millis(StringBuilder line, long fromNanos, long toNanos) {
        if (toNanos == 0) {
            line.append('-');
            return;
        }
        long micros = Math.max(0, (toNanos - fromNanos) / 1000);
        line.append(micros / 1000).append('.');
        three(line, (int) (micros % 1000));
    }

    private static void two(StringBuilder line, int value) {
        line.append((char) ('0' + value / 10)).append((char) ('0' + value % 10));
    }

    private static void three(StringBuilder line, int value) {
        line.append((char) ('0' + value / 100)).append((char) ('0' + value / 10 % 10))
                .append((char) ('0' + value % 10));
    }

    private static final class PerThread {
        StringBuilder line = new StringBuilder(512);
        long day = Long.MIN_VALUE;
        String date;
    }
}
