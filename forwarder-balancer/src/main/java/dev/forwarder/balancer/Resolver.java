package dev.forwarder.balancer;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;

/** Turns a backend's hostname into its addresses; every address becomes a pool member. May block. */
@FunctionalInterface
public interface Resolver {

    /**
     * Every A and AAAA record of {@code host}.
     *
     * @throws UnknownHostException when it does not resolve (the pool then keeps the members it has)
     */
    List<InetAddress> resolve(String host) throws UnknownHostException;

    /**
     * The system's hosts file and name servers, asked afresh on each lookup (Netty's DNS resolver without its
     * cache): unlike {@link #jvm()}, a new address shows at the next {@code resolve-interval}.
     */
    static Resolver system() {
        // Deferred: the shared resolver and its thread start at the first lookup, not when a pool is built.
        return host -> DnsResolver.shared().resolve(host);
    }

    /** The JVM's resolver ({@link InetAddress#getAllByName}), with its address cache (30 s by default). */
    static Resolver jvm() {
        return host -> List.of(InetAddress.getAllByName(host));
    }
}
