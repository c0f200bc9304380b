package dev.forwarder.balancer;

import java.util.List;

/**
 * Run in a JVM of its own by {@link ResolverStartupTest}: builds and starts a pool of literal addresses and exits 3
 * if that started a DNS resolver thread, 0 otherwise.
 */
public final class LiteralPoolProbe {

    private LiteralPoolProbe() {
    }

    public static void main(String[] args) {
        Pool pool = Pool.of("literal", BalancingStrategy.roundRobin(),
                List.of(new BackendSpec("127.0.0.1", 9001, 1, false), new BackendSpec("::1", 9002, 1, false)));
        pool.start();
        boolean dnsThread = Thread.getAllStackTraces().keySet().stream()
                .anyMatch(thread -> thread.getName().startsWith("forwarder-dns"));
        pool.close();
        System.exit(dnsThread ? 3 : 0);
    }
}
