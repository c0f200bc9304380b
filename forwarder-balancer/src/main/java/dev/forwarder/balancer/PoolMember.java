package dev.forwarder.balancer;

import dev.forwarder.core.Backend;

import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/** One resolved backend of a pool, shared by all the connections to it; carries its live counters. */
public final class PoolMember implements Backend {

    private final String name;
    private final InetSocketAddress address;
    private final int weight;
    private final boolean backup;
    private final AtomicInteger active = new AtomicInteger();

    PoolMember(BackendSpec spec, InetSocketAddress address) {
        this.name = address.getAddress() == null ? spec.authority()
                : new BackendSpec(address.getAddress().getHostAddress(), address.getPort(), spec.weight(),
                        spec.backup()).authority();
        this.address = address;
        this.weight = spec.weight();
        this.backup = spec.backup();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public InetSocketAddress address() {
        return address;
    }

    public int weight() {
        return weight;
    }

    public boolean backup() {
        return backup;
    }

    /** Connections picked for this member and not yet ended. */
    public int activeConnections() {
        return active.get();
    }

    void acquired() {
        active.incrementAndGet();
    }

    void releasedOne() {
        active.decrementAndGet();
    }

    @Override
    public String toString() {
        return name;
    }
}
