package dev.forwarder.core;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.SocketAddress;

/** How forwarder writes socket addresses in logs and messages: {@code 127.0.0.1:8080}, {@code [::1]:8080}. */
public final class Addresses {

    private Addresses() {
    }

    /** {@code host:port} with the numeric address, brackets around IPv6, and no leading slash. */
    public static String format(SocketAddress address) {
        if (!(address instanceof InetSocketAddress inet)) {
            return String.valueOf(address);
        }
        String host = inet.getAddress() == null ? inet.getHostString() : inet.getAddress().getHostAddress();
        boolean ipv6 = inet.getAddress() instanceof Inet6Address || host.indexOf(':') >= 0;
        return (ipv6 ? "[" + host + "]" : host) + ":" + inet.getPort();
    }
}
