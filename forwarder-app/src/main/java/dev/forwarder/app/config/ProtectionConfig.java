package dev.forwarder.app.config;

import dev.forwarder.core.ListenerSettings;
import dev.forwarder.core.access.AccessSettings;
import dev.forwarder.core.proxy.ProxyProtocol;

import java.time.Duration;
import java.util.Objects;

/**
 * A listener's protection keys: {@code allow}, {@code deny}, {@code max-connections},
 * {@code max-connections-per-client}, {@code accept-rate-per-client}, {@code first-byte-timeout},
 * {@code accept-proxy}, {@code proxy-header-timeout} and {@code accept-proxy-from} (the last in {@code access}).
 *
 * @param access allow/deny, limits and the first-byte timeout
 * @param acceptProxy which PROXY header clients start with
 * @param proxyHeaderTimeout how long a client may take to send it; &gt; 0
 */
public record ProtectionConfig(AccessSettings access, ProxyProtocol acceptProxy, Duration proxyHeaderTimeout) {

    /** The defaults: nobody refused, no limit, no PROXY header. */
    public static final ProtectionConfig NONE = new ProtectionConfig(AccessSettings.NONE, ProxyProtocol.OFF,
            ListenerSettings.DEFAULT_PROXY_HEADER_TIMEOUT);

    public ProtectionConfig {
        Objects.requireNonNull(access, "access");
        Objects.requireNonNull(acceptProxy, "acceptProxy");
        Objects.requireNonNull(proxyHeaderTimeout, "proxyHeaderTimeout");
        if (proxyHeaderTimeout.isNegative() || proxyHeaderTimeout.isZero()) {
            throw new IllegalArgumentException("proxyHeaderTimeout: " + proxyHeaderTimeout + " (expected: > 0)");
        }
    }
}
