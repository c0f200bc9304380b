package dev.forwarder.core.proxy;

import dev.forwarder.core.Addresses;
import dev.forwarder.core.ListenerSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The warning for a listener that believes a PROXY header from any peer ({@code accept-proxy} on,
 * {@code accept-proxy-from} empty): whoever reaches its port can claim any client address, and so pass allow/deny
 * and the per-client limits as anyone. Logged when such a listener is bound, and when a reconfiguration makes one
 * so; not per connection.
 */
public final class OpenProxyWarning {

    private static final Logger log = LoggerFactory.getLogger(OpenProxyWarning.class);

    private OpenProxyWarning() {
    }

    /** Logs the warning when {@code next} trusts every peer and {@code before} (or {@code null}) did not. */
    public static void check(ListenerSettings before, ListenerSettings next) {
        if (trustsEveryPeer(next) && (before == null || !trustsEveryPeer(before))) {
            log.warn("accept-proxy trusts every peer listener={} address={} accept_proxy={} risk=\"anyone who"
                    + " reaches the port can claim any client address\" fix=\"set accept-proxy-from to the"
                    + " balancers' networks\"", next.name(), Addresses.format(next.bind()),
                    next.acceptProxy().label());
        }
    }

    static boolean trustsEveryPeer(ListenerSettings settings) {
        return settings.acceptProxy() != ProxyProtocol.OFF && settings.access().acceptProxyFrom().isEmpty();
    }
}
