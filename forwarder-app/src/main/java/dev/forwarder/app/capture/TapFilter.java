package dev.forwarder.app.capture;

import dev.forwarder.core.Addresses;
import dev.forwarder.core.Backend;
import dev.forwarder.core.ConnectionInfo;
import io.netty.util.NetUtil;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Arrays;

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
        return client == null || clientMatches(client, info.client());
    }

    /**
     * Whether {@code formatted}, an address as {@link Addresses#format} writes it ({@code 10.0.0.5:4000},
     * {@code [0:0:0:0:0:0:0:1]:4000}), is {@code client}: an IP or IP:port in any spelling ({@code ::1},
     * {@code [::1]:4000}). For {@code /api/connections}, whose snapshots carry the formatted address.
     */
    public static boolean clientMatches(String client, String formatted) {
        int colon = formatted.lastIndexOf(':');
        if (colon > 0) {
            String host = formatted.startsWith("[") && formatted.charAt(colon - 1) == ']'
                    ? formatted.substring(1, colon - 1) : formatted.substring(0, colon);
            java.net.InetAddress ip = NetUtil.createInetAddressFromIpAddressString(host);
            int port = port(formatted.substring(colon + 1));
            if (ip != null && port >= 0) {
                return clientMatches(client, new InetSocketAddress(ip, port));
            }
        }
        return client.equals(formatted);
    }

    /** {@code client} as an IP ({@code 10.0.0.5}, {@code ::1}) or IP:port ({@code [::1]:40000}), in any spelling. */
    static boolean clientMatches(String client, SocketAddress address) {
        String host = client;
        int port = -1;
        int colon = client.lastIndexOf(':');
        if (client.startsWith("[") && client.indexOf(']') > 0) {
            int end = client.indexOf(']');
            host = client.substring(1, end);
            port = end + 1 < client.length() && client.charAt(end + 1) == ':' ? port(client.substring(end + 2)) : -1;
        } else if (colon > 0 && client.indexOf(':') == colon) {
            host = client.substring(0, colon);
            port = port(client.substring(colon + 1));
        }
        byte[] wanted = NetUtil.createByteArrayFromIpAddressString(host);
        if (wanted == null || !(address instanceof InetSocketAddress inet) || inet.getAddress() == null) {
            return client.equals(Addresses.format(address));
        }
        return Arrays.equals(wanted, inet.getAddress().getAddress()) && (port == -1 || port == inet.getPort());
    }

    private static int port(String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            return -2; // matches no port
        }
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
