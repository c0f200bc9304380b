package dev.forwarder.core.testing;

import dev.forwarder.core.Backend;
import dev.forwarder.core.BackendChooser;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/** A round-robin chooser over fixed addresses that counts every call, for relay tests. */
public final class FixedChooser implements BackendChooser {

    private final List<Backend> backends;
    private final AtomicInteger next = new AtomicInteger();
    public final AtomicInteger chosen = new AtomicInteger();
    public final AtomicInteger connected = new AtomicInteger();
    public final AtomicInteger connectFailed = new AtomicInteger();
    public final AtomicInteger released = new AtomicInteger();
    public final AtomicInteger abandoned = new AtomicInteger();

    public FixedChooser(InetSocketAddress... addresses) {
        this.backends = Arrays.stream(addresses).<Backend>map(TestBackend::new).toList();
    }

    @Override
    public Backend choose(SocketAddress client, List<Backend> tried) {
        if (backends.isEmpty()) {
            return null;
        }
        for (int i = 0; i < backends.size(); i++) {
            Backend candidate = backends.get(Math.floorMod(next.getAndIncrement(), backends.size()));
            if (!tried.contains(candidate)) {
                chosen.incrementAndGet();
                return candidate;
            }
        }
        return null;
    }

    @Override
    public void connected(Backend backend) {
        connected.incrementAndGet();
    }

    @Override
    public void connectFailed(Backend backend, Throwable cause) {
        connectFailed.incrementAndGet();
    }

    @Override
    public void released(Backend backend) {
        released.incrementAndGet();
    }

    @Override
    public void abandoned(Backend backend) {
        abandoned.incrementAndGet();
    }

    public List<Backend> backends() {
        return backends;
    }

    /** Picks that have not yet ended with a connect failure, a release or an abandon. */
    public int outstanding() {
        return chosen.get() - connectFailed.get() - released.get() - abandoned.get();
    }

    /** Equal only to itself, like a real pool member: two entries with one address are two backends. */
    private static final class TestBackend implements Backend {
        private final InetSocketAddress address;

        TestBackend(InetSocketAddress address) {
            this.address = address;
        }

        @Override
        public InetSocketAddress address() {
            return address;
        }

        @Override
        public String name() {
            return address.getAddress().getHostAddress() + ":" + address.getPort();
        }

        @Override
        public String toString() {
            return name();
        }
    }
}
