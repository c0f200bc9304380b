package dev.forwarder.balancer;

import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;

/** Where a configured backend is: its literal address, or every address its hostname resolves to now. */
final class SpecAddresses {

    private SpecAddresses() {
    }

    static boolean isLiteral(String host) {
        return NetUtil.isValidIpV4Address(host) || NetUtil.isValidIpV6Address(host);
    }

    /**
     * Looks a hostname up with {@code resolver} (so this may block); a literal needs no lookup.
     *
     * @throws IllegalArgumentException when the host does not resolve
     */
    static List<InetSocketAddress> of(BackendSpec spec, Resolver resolver) {
        try {
            List<InetAddress> addresses = isLiteral(spec.host())
                    ? List.of(InetAddress.getByName(spec.host())) : resolver.resolve(spec.host());
            if (addresses.isEmpty()) {
                throw new UnknownHostException(spec.host());
            }
            return addresses.stream().map(address -> new InetSocketAddress(address, spec.port())).toList();
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException("backend " + spec.authority() + ": host does not resolve", e);
        }
    }
}
