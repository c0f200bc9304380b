package dev.forwarder.core.access;

import dev.forwarder.core.ConnectionObserver;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceFieldUpdater;

/**
 * One listener's door: checks each new client against the listener's {@link AccessSettings} and counts the
 * connections it lets in until they close. Lives as long as the listener, across reconfigurations, so counts
 * carry over when the settings change (connections accepted while a limit was off are not counted by it).
 *
 * <p>Thread-safe and lock-free: any event loop calls {@link #admit}. The listener total is an atomic counter; the
 * per-client state is a fixed-size {@link ClientTable} made the first time per-client limits are asked for.
 */
public final class AccessGate {

    /** Client addresses tracked at once per listener (per-client limits); 64 K slots, 256 KiB of references. */
    public static final int DEFAULT_CLIENT_SLOTS = 65_536;

    private final String listener;
    private final int clientSlots;
    private final AtomicInteger open = new AtomicInteger();
    private final RejectionLog log = new RejectionLog();
    private volatile ClientTable clients;
    private static final AtomicReferenceFieldUpdater<AccessGate, ClientTable> CLIENTS =
            AtomicReferenceFieldUpdater.newUpdater(AccessGate.class, ClientTable.class, "clients");

    public AccessGate(String listener) {
        this(listener, DEFAULT_CLIENT_SLOTS);
    }

    AccessGate(String listener, int clientSlots) {
        this.listener = listener;
        this.clientSlots = clientSlots;
    }

    /** The rate-capped log of this listener's refusals and bad PROXY headers. */
    public RejectionLog log() {
        return log;
    }

    /** Connections admitted under a limit and not yet closed. */
    public int openConnections() {
        return open.get();
    }

    /**
     * Checks {@code client} (the socket's peer, or the address a PROXY header named) of {@code channel}. Admitted
     * and counted, the count is released when the channel closes. Refused, the refusal is reported to
     * {@code observer} and logged (capped); closing the channel is the caller's.
     *
     * @return {@code null} when admitted, else why not
     */
    public RejectReason admit(Channel channel, SocketAddress client, AccessSettings rules,
            ConnectionObserver observer) {
        InetAddress address = client instanceof InetSocketAddress inet ? inet.getAddress() : null;
        RejectReason refused = address == null ? null : check(channel, address, rules);
        if (refused != null) {
            observer.rejected(listener, client, refused);
            log.rejected(listener, client, address, refused.label());
        }
        return refused;
    }

    /**
     * With {@code accept-proxy}: checks that the socket peer {@code peer} of {@code channel} is one the listener
     * believes a PROXY header from ({@code accept-proxy-from}). Refused, the refusal is reported to
     * {@code observer} and logged (capped) as {@link #admit} does; closing the channel is the caller's.
     *
     * @return {@code null} when trusted, else {@link RejectReason#UNTRUSTED_PROXY}
     */
    public RejectReason admitProxy(SocketAddress peer, AccessSettings rules, ConnectionObserver observer) {
        InetAddress address = peer instanceof InetSocketAddress inet ? inet.getAddress() : null;
        if (address == null || rules.trustsProxy(address)) {
            return null;
        }
        observer.rejected(listener, peer, RejectReason.UNTRUSTED_PROXY);
        log.rejected(listener, peer, address, RejectReason.UNTRUSTED_PROXY.label());
        return RejectReason.UNTRUSTED_PROXY;
    }

    private RejectReason check(Channel channel, InetAddress address, AccessSettings rules) {
        if (!rules.permits(address)) {
            return RejectReason.DENIED;
        }
        if (!rules.counts()) {
            return null;
        }
        boolean total = rules.maxConnections() > 0;
        if (total && !tryOpen(rules.maxConnections())) {
            return RejectReason.MAX_CONNECTIONS;
        }
        ClientTable.Entry entry = null;
        if (rules.perClient()) {
            long now = System.nanoTime();
            RejectReason refused = null;
            ClientTable.Entry found = null;
            for (int attempt = 0; attempt < 4; attempt++) {
                found = clients().entry(address, now);
                if (found == null) {
                    break;
                }
                int opened = rules.maxConnectionsPerClient() > 0 ? found.tryOpen(rules.maxConnectionsPerClient())
                        : found.tryOpen(0);
                if (opened < 0) {
                    // The entry died under us (evicted meanwhile): look again. Four lost races in a row leave the
                    // client untracked rather than holding a dead entry, whose release would count below zero.
                    found = null;
                    continue;
                }
                entry = found;
                if (opened == 0) {
                    refused = RejectReason.MAX_CONNECTIONS_PER_CLIENT;
                } else if (rules.acceptRatePerClient() > 0 && !takeToken(entry, rules.acceptRatePerClient(), now)) {
                    entry.close();
                    refused = RejectReason.ACCEPT_RATE_PER_CLIENT;
                }
                break;
            }
            if (refused != null) {
                if (total) {
                    open.decrementAndGet();
                }
                return refused;
            }
        }
        if (total || entry != null) {
            channel.closeFuture().addListener(new Release(total ? open : null, entry));
        }
        return null;
    }

    private static boolean takeToken(ClientTable.Entry entry, int perSecond, long now) {
        long interval = TimeUnit.SECONDS.toNanos(1) / perSecond;
        // A bucket of one second's worth: a burst of perSecond, then one every interval.
        return entry.tryTake(now, interval, interval * (perSecond - 1L));
    }

    private boolean tryOpen(int max) {
        for (;;) {
            int current = open.get();
            if (current >= max) {
                return false;
            }
            if (open.compareAndSet(current, current + 1)) {
                return true;
            }
        }
    }

    private ClientTable clients() {
        ClientTable table = clients;
        if (table == null) {
            // Once per listener, the first time a per-client limit is used; a race makes one table too many.
            CLIENTS.compareAndSet(this, null, new ClientTable(clientSlots));
            table = clients;
        }
        return table;
    }

    /** Gives back what one admitted connection holds, when its channel closes. */
    private record Release(AtomicInteger total, ClientTable.Entry entry) implements ChannelFutureListener {
        @Override
        public void operationComplete(ChannelFuture future) {
            if (total != null) {
                total.decrementAndGet();
            }
            if (entry != null) {
                entry.close();
            }
        }
    }
}
