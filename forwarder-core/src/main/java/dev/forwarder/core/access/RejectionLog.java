package dev.forwarder.core.access;

import dev.forwarder.core.Addresses;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetAddress;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Log lines about refused clients, at most one a second per client address: a fixed array of slots, indexed by a
 * hash of the address, each holding the second its last line was written, claimed by CAS (no lock, bounded memory:
 * {@value #SLOTS} slots of two longs). Clients whose addresses share a slot share its second, so the cap can only
 * err towards fewer lines; each line says how many refusals of its slot went unlogged since the one before.
 */
public final class RejectionLog {

    /** The logger of connection events, {@code dev.forwarder.connection}. */
    static final String LOGGER = "dev.forwarder.connection";
    static final int SLOTS = 4096;
    private static final Logger log = LoggerFactory.getLogger(LOGGER);

    private final AtomicLongArray lastSecond = new AtomicLongArray(SLOTS);
    private final AtomicLongArray suppressed = new AtomicLongArray(SLOTS);

    /**
     * Whether a line about {@code client} may be written at {@code nowNanos}.
     *
     * @return the refusals not logged since this slot's last line, or -1 when this one must not be logged either
     */
    long claim(InetAddress client, long nowNanos) {
        int slot = slot(client);
        // +1 so that the zero a slot starts with never equals a real second.
        long second = TimeUnit.NANOSECONDS.toSeconds(nowNanos) + 1;
        long last = lastSecond.get(slot);
        if (last != second && lastSecond.compareAndSet(slot, last, second)) {
            return suppressed.getAndSet(slot, 0);
        }
        suppressed.incrementAndGet(slot);
        return -1;
    }

    /** Logs that {@code listener} refused {@code client}, unless a line about it was written this second. */
    public void rejected(String listener, SocketAddress client, InetAddress address, String reason) {
        if (!log.isInfoEnabled()) {
            return;
        }
        long unlogged = claim(address, System.nanoTime());
        if (unlogged >= 0) {
            log.info("rejected listener={} client={} reason={} suppressed={}", listener, Addresses.format(client),
                    reason, unlogged);
        }
    }

    /** Logs a problem with a client's PROXY header (or anything else about it), capped as {@link #rejected}. */
    public void warn(String listener, SocketAddress client, InetAddress address, String what, String detail) {
        if (!log.isWarnEnabled()) {
            return;
        }
        long unlogged = claim(address, System.nanoTime());
        if (unlogged >= 0) {
            log.warn("{} listener={} client={} detail=\"{}\" suppressed={}", what, listener,
                    Addresses.format(client), detail, unlogged);
        }
    }

    private static int slot(InetAddress address) {
        int h = address.hashCode() * 0x9E3779B9;
        return (h ^ (h >>> 16)) & (SLOTS - 1);
    }
}
