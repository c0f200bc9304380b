package dev.forwarder.core.access;

import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Who may connect to one listener, how many at once, how fast, and how soon they must send.
 *
 * @param allow networks a client must be in; empty allows every address
 * @param deny networks a client must not be in; deny wins over allow
 * @param maxConnections connections the listener keeps open at once; 0 for no limit
 * @param maxConnectionsPerClient connections one client address keeps open at once; 0 for no limit
 * @param acceptRatePerClient new connections per second one client address may open (a token bucket holding one
 *     second's worth); 0 for no limit
 * @param firstByteTimeout how long a client may stay silent after accept before it is closed
 *     ({@code first-byte-timeout}); zero for never. Its backend is chosen only once it has sent a byte.
 * @param acceptProxyFrom with {@code accept-proxy}: the networks a socket peer must be in to be believed when it
 *     sends a PROXY header ({@code accept-proxy-from}); a peer outside them is refused at accept
 *     ({@code untrusted-proxy}). Empty trusts every peer (HAProxy's {@code accept-proxy} does the same). Without
 *     {@code accept-proxy} it has no effect.
 */
public record AccessSettings(
        List<Cidr> allow,
        List<Cidr> deny,
        int maxConnections,
        int maxConnectionsPerClient,
        int acceptRatePerClient,
        Duration firstByteTimeout,
        List<Cidr> acceptProxyFrom) {

    /** Everyone, any number, any rate, no first-byte timeout: a listener's pipeline stays the plain relay's. */
    public static final AccessSettings NONE = new AccessSettings(List.of(), List.of(), 0, 0, 0, Duration.ZERO);

    /** Settings that trust every peer's PROXY header (no {@code accept-proxy-from}). */
    public AccessSettings(List<Cidr> allow, List<Cidr> deny, int maxConnections, int maxConnectionsPerClient,
            int acceptRatePerClient, Duration firstByteTimeout) {
        this(allow, deny, maxConnections, maxConnectionsPerClient, acceptRatePerClient, firstByteTimeout, List.of());
    }

    public AccessSettings {
        allow = List.copyOf(allow);
        deny = List.copyOf(deny);
        acceptProxyFrom = List.copyOf(acceptProxyFrom);
        Objects.requireNonNull(firstByteTimeout, "firstByteTimeout");
        if (maxConnections < 0) {
            throw new IllegalArgumentException("maxConnections: " + maxConnections + " (expected: >= 0)");
        }
        if (maxConnectionsPerClient < 0) {
            throw new IllegalArgumentException(
                    "maxConnectionsPerClient: " + maxConnectionsPerClient + " (expected: >= 0)");
        }
        if (acceptRatePerClient < 0) {
            throw new IllegalArgumentException("acceptRatePerClient: " + acceptRatePerClient + " (expected: >= 0)");
        }
        if (firstByteTimeout.isNegative()) {
            throw new IllegalArgumentException("firstByteTimeout: " + firstByteTimeout + " (expected: >= 0)");
        }
    }

    /** Whether any client is checked at all: a filter, a limit or a rate. */
    public boolean checksClients() {
        return !allow.isEmpty() || !deny.isEmpty() || counts();
    }

    /** Whether admitted connections are counted until they close (a limit or a rate per client is set). */
    boolean counts() {
        return maxConnections > 0 || perClient();
    }

    /** Whether per-client state is kept. */
    boolean perClient() {
        return maxConnectionsPerClient > 0 || acceptRatePerClient > 0;
    }

    /** Whether {@code address} passes allow and deny. */
    public boolean permits(InetAddress address) {
        byte[] bytes = address.getAddress();
        for (Cidr cidr : deny) {
            if (cidr.contains(bytes)) {
                return false;
            }
        }
        if (allow.isEmpty()) {
            return true;
        }
        for (Cidr cidr : allow) {
            if (cidr.contains(bytes)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the socket peer {@code address} may send a PROXY header: it is in {@code acceptProxyFrom}, or that
     * list is empty.
     */
    public boolean trustsProxy(InetAddress address) {
        if (acceptProxyFrom.isEmpty()) {
            return true;
        }
        byte[] bytes = address.getAddress();
        for (Cidr cidr : acceptProxyFrom) {
            if (cidr.contains(bytes)) {
                return true;
            }
        }
        return false;
    }

    public AccessSettings withAllow(List<Cidr> networks) {
        return new AccessSettings(networks, deny, maxConnections, maxConnectionsPerClient, acceptRatePerClient,
                firstByteTimeout, acceptProxyFrom);
    }

    public AccessSettings withDeny(List<Cidr> networks) {
        return new AccessSettings(allow, networks, maxConnections, maxConnectionsPerClient, acceptRatePerClient,
                firstByteTimeout, acceptProxyFrom);
    }

    public AccessSettings withLimits(int listener, int perClient, int ratePerClient) {
        return new AccessSettings(allow, deny, listener, perClient, ratePerClient, firstByteTimeout,
                acceptProxyFrom);
    }

    public AccessSettings withFirstByteTimeout(Duration timeout) {
        return new AccessSettings(allow, deny, maxConnections, maxConnectionsPerClient, acceptRatePerClient,
                timeout, acceptProxyFrom);
    }

    public AccessSettings withAcceptProxyFrom(List<Cidr> trusted) {
        return new AccessSettings(allow, deny, maxConnections, maxConnectionsPerClient, acceptRatePerClient,
                firstByteTimeout, trusted);
    }
}
