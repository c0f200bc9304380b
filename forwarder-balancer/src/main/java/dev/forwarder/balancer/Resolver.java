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

    /** The JVM's resolver ({@link InetAddress#getAllByName}), which honours {@code /etc/hosts} and its cache. */
    static Resolver system() {
        return host -> List.of(InetAddress.getAllByName(host));
    }
}
