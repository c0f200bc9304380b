package dev.forwarder.core.access;

import java.net.InetAddress;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLongFieldUpdater;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Per-client state of one listener (open connections, token bucket), in a fixed table: bounded memory, and no
 * lock. Not per event loop, because the kernel spreads one client's connections over every loop's
 * {@code SO_REUSEPORT} socket, so only a table they share sees a client whole.
 *
 * <p>A client hashes to a run of {@value #PROBES} slots. A slot is claimed with one CAS; an entry with no open
 * connection and a full bucket may be taken over by another client: it is first marked dead by a CAS of its count
 * from 0 to -1, so a thread that found it a moment earlier fails its own CAS on the count and looks again. When
 * all {@value #PROBES} slots of a client's run hold live entries of others (far more clients than slots, i.e. a
 * flood from many addresses), the client goes untracked: its per-client limits do not apply (as HAProxy's
 * stick tables with {@code nopurge}), allow/deny and {@code max-connections} still do.
 */
final class ClientTable {

    static final int PROBES = 8;
    private static final int DEAD = -1;

    /** One client address: its open connections (or {@link #DEAD}) and its bucket's theoretical arrival time. */
    static final class Entry {
        private static final AtomicIntegerFieldUpdater<Entry> OPEN =
                AtomicIntegerFieldUpdater.newUpdater(Entry.class, "open");
        private static final AtomicLongFieldUpdater<Entry> TAT = AtomicLongFieldUpdater.newUpdater(Entry.class, "tat");

        final InetAddress address;
        volatile int open;
        // GCRA: the time the bucket would be full again; a new connection is allowed while tat - now <= tolerance.
        volatile long tat;

        Entry(InetAddress address, long now) {
            this.address = address;
            this.tat = now;
        }

        /** One more open connection unless {@code max} are open; {@code false} also when the entry died. */
        int tryOpen(int max) {
            for (;;) {
                int current = open;
                if (current == DEAD) {
                    return DEAD;
                }
                if (max > 0 && current >= max) {
                    return 0;
                }
                if (OPEN.compareAndSet(this, current, current + 1)) {
                    return 1;
                }
            }
        }

        void close() {
            OPEN.decrementAndGet(this);
        }

        /** Takes a token: {@code interval} nanoseconds per connection, up to {@code tolerance} ahead of now. */
        boolean tryTake(long now, long interval, long tolerance) {
            for (;;) {
                long current = tat;
                long start = current - now < 0 ? now : current;
                if (start - now > tolerance) {
                    return false;
                }
                if (TAT.compareAndSet(this, current, start + interval)) {
                    return true;
                }
            }
        }

        boolean evictable(long now) {
            return open == 0 && tat - now <= 0;
        }

        boolean kill() {
            return OPEN.compareAndSet(this, 0, DEAD);
        }
    }

    private final AtomicReferenceArray<Entry> slots;
    private final int mask;

    /** @param capacity slots, rounded up to a power of two; each holds one client */
    ClientTable(int capacity) {
        int size = Integer.highestOneBit(Math.max(PROBES, capacity - 1)) << 1;
        this.slots = new AtomicReferenceArray<>(size);
        this.mask = size - 1;
    }

    int capacity() {
        return slots.length();
    }

    /** The live entry of {@code address}, made if needed; {@code null} when its run of slots is full. */
    Entry entry(InetAddress address, long now) {
        int home = spread(address.hashCode()) & mask;
        for (int attempt = 0; attempt < 4; attempt++) {
            int free = -1;
            Entry freeWas = null;
            for (int i = 0; i < PROBES; i++) {
                int index = (home + i) & mask;
                Entry entry = slots.get(index);
                if (entry == null) {
                    if (free < 0) {
                        free = index;
                    }
                } else if (entry.open != DEAD && entry.address.equals(address)) {
                    return entry;
                } else if (free < 0 && (entry.open == DEAD || entry.evictable(now))) {
                    free = index;
                    freeWas = entry;
                }
            }
            if (free < 0) {
                return null;
            }
            if (freeWas != null && freeWas.open != DEAD && !freeWas.kill()) {
                continue;
            }
            Entry fresh = new Entry(address, now);
            if (slots.compareAndSet(free, freeWas, fresh)) {
                return fresh;
            }
        }
        return null;
    }

    private static int spread(int hash) {
        int h = hash * 0x9E3779B9;
        return h ^ (h >>> 16);
    }
}
