package dev.forwarder.app.config;

import java.net.InetSocketAddress;
import java.util.Objects;

/**
 * The {@code forwarder.admin} block: the HTTP port with the JSON API, {@code /metrics} and the health endpoints.
 *
 * @param enabled whether forwarder serves it
 * @param bind where it listens; port 0 takes a free one
 * @param token when not empty, every request but {@code /healthz} and {@code /readyz} needs
 *        {@code Authorization: Bearer TOKEN}
 */
public record AdminConfig(boolean enabled, InetSocketAddress bind, String token) {

    /** No admin port: what a {@link ForwarderConfig} built without one gets. */
    public static final AdminConfig DISABLED =
            new AdminConfig(false, new InetSocketAddress("127.0.0.1", 9901), "");

    public AdminConfig {
        Objects.requireNonNull(bind, "bind");
        Objects.requireNonNull(token, "token");
        if (!token.isEmpty() && !token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
            throw new IllegalArgumentException("token: (hidden) (expected: printable ASCII without spaces)");
        }
    }

    /** Whether only this machine can reach it: a loopback bind. */
    public boolean loopback() {
        return bind.getAddress() != null && bind.getAddress().isLoopbackAddress();
    }

    @Override
    public String toString() {
        return "AdminConfig[enabled=" + enabled + ", bind=" + bind + ", token=" + (token.isEmpty() ? "" : "(set)")
                + "]";
    }
}
