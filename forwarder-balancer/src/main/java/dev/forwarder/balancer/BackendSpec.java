package dev.forwarder.balancer;

import java.util.Objects;

/**
 * A backend as configured: where it is and how much traffic it takes.
 *
 * @param host a literal IP address or a hostname
 * @param port 1 to 65535
 * @param weight 1 to {@link #MAX_WEIGHT}; its share of new connections relative to the pool's other backends
 * @param backup whether it is used only while no primary backend is available
 */
public record BackendSpec(String host, int port, int weight, boolean backup) {

    public static final int MAX_WEIGHT = 256;

    public BackendSpec {
        Objects.requireNonNull(host, "host");
        if (host.isBlank()) {
            throw new IllegalArgumentException("host: \"" + host + "\" (expected: a hostname or IP address)");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
        }
        if (weight < 1 || weight > MAX_WEIGHT) {
            throw new IllegalArgumentException("weight: " + weight + " (expected: 1-" + MAX_WEIGHT + ")");
        }
    }

    /** {@code host:port}, with brackets around an IPv6 literal. */
    public String authority() {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
