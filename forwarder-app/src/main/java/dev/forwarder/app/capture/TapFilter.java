package dev.forwarder.app.capture;

import dev.forwarder.core.Addresses;
import dev.forwarder.core.Backend;
import dev.forwarder.core.ConnectionInfo;

import java.util.function.Predicate;

/**
 * Which connections a tap sees; {@code null} matches anything. {@code client} is an IP or IP:port (as
 * {@code /api/connections} takes it), {@code backend} a member's address ({@code 127.0.0.1:9001}), {@code conn} a
 * connection id. A connection is tested when the tap starts (open ones), at accept and once its backend is
 * connected, so a tap by backend sees a new connection from its first byte relayed to that backend.
 */
public record TapFilter(String listener, String client, String backend, String conn)
        implements Predicate<ConnectionInfo> {

    @Override
    public boolean test(ConnectionInfo info) {
        if (conn != null && !conn.equals(info.id())) {
            return false;
        }
        if (backend != null) {
            Backend chosen = info.backend();
            if (chosen == null || !backend.equals(chosen.name())) {
                return false;
            }
        }
        if (client != null) {
            String address = Addresses.format(info.client());
            return client.equals(address) || address.startsWith(client + ":") || address.startsWith("[" + client + "]:");
        }
        return true;
    }

    /** For log lines and {@code /api/taps}: the parts that are set, e.g. {@code listener=web conn=12}. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        part(text, "listener", listener);
        part(text, "client", client);
        part(text, "backend", backend);
        part(text, "conn", conn);
        return text.isEmpty() ? "all" : text.toString();
    }

    private static void part(StringBuilder text, String key, String value) {
        if (value != null) {
            text.append(text.isEmpty() ? "" : " ").append(key).append('=').append(value);
        }
    }
}
