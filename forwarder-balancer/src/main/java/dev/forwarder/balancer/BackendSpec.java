package dev.forwarder.balancer;

import java.util.Objects;

/**
 * A backend as configured: where it is and how much traffic it takes.
 *
 * @param host a literal IP address or a hostname (every address it resolves to becomes a member)
 * @param port 1 to 65535
 * @param weight 1 to {@link #MAX_WEIGHT}; its share of new connections relative to the pool's other backends
 * @param backup whether it is used only while no primary backend is available
 * @param maxConnections its own connection limit, 0 for none, or {@link #POOL_DEFAULT} for the pool's
 */
public record BackendSpec(String host, int port, int weight, boolean backup, int maxConnections) {

    public static final int MAX_WEIGHT = 256;
    /** {@link #maxConnections()}: take the pool's {@code max-connections}. */
    public static final int POOL_DEFAULT = -1;

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
        if (maxConnections < POOL_DEFAULT) {
            throw new IllegalArgumentException("maxConnections: " + maxConnections + " (expected: >= 0, or -1 for"
                    + " the pool's)");
        }
    }

    /** A backend with the pool's connection limit. */
    public BackendSpec(String host, int port, int weight, boolean backup) {
        this(host, port, weight, backup, POOL_DEFAULT);
    }

    /** {@code host:port}, with brackets around an IPv6 literal. */
    public String authority() {
        return authority(host, port);
    }

    static String authority(String host, int port) {
        return host.indexOf(':') >= 0 ? "[" + host + "]:" + port : host + ":" + port;
    }
}
