package dev.forwarder.app.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.forwarder.app.Forwarder;
import dev.forwarder.app.config.ForwarderConfig;
import dev.forwarder.app.config.PoolConfig;
import dev.forwarder.balancer.LastCheck;
import dev.forwarder.balancer.MemberAdmin;
import dev.forwarder.balancer.MemberState;
import dev.forwarder.balancer.Pool;
import dev.forwarder.balancer.PoolMember;
import dev.forwarder.core.Addresses;
import dev.forwarder.core.BoundListener;
import dev.forwarder.core.ConnectionSnapshot;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Predicate;

import static dev.forwarder.app.admin.AdminResponse.MAPPER;

/** The read-only JSON of the admin API: listeners, pools and their members, open connections, readiness. */
final class StatusJson {

    static final int DEFAULT_LIMIT = 1000;
    static final int MAX_LIMIT = 100_000;

    private final Forwarder forwarder;

    StatusJson(Forwarder forwarder) {
        this.forwarder = forwarder;
    }

    /** {@code GET /api/listeners}. */
    AdminResponse listeners() {
        ForwarderConfig config = forwarder.config();
        ArrayNode listeners = MAPPER.createArrayNode();
        for (String name : config.listeners().keySet()) {
            BoundListener listener = running(name);
            if (listener == null) {
                continue;
            }
            ObjectNode node = listeners.addObject();
            node.put("name", name);
            node.put("bind", Addresses.format(listener.localAddress()));
            node.put("pool", config.listeners().get(name).pool());
            node.put("active_connections", listener.activeConnections());
            node.put("state", listener.isAccepting() ? "accepting" : forwarder.draining() ? "stopped" : "paused");
            CaptureActions.describe(node.putObject("capture"), forwarder.captures(), name);
        }
        ObjectNode body = MAPPER.createObjectNode();
        body.set("listeners", listeners);
        return AdminResponse.ok(body);
    }

    /** {@code GET /api/pools}. */
    AdminResponse pools() {
        ForwarderConfig config = forwarder.config();
        ArrayNode pools = MAPPER.createArrayNode();
        for (PoolConfig poolConfig : config.pools().values()) {
            Pool pool = running(poolConfig);
            if (pool == null) {
                continue;
            }
            ObjectNode node = pools.addObject();
            node.put("name", pool.name());
            node.put("strategy", poolConfig.strategy());
            node.put("available", pool.available());
            node.put("waiting", pool.waiting());
            ArrayNode members = node.putArray("members");
            for (PoolMember member : pool.members()) {
                member(members.addObject(), member);
            }
        }
        ObjectNode body = MAPPER.createObjectNode();
        body.set("pools", pools);
        return AdminResponse.ok(body);
    }

    static void member(ObjectNode node, PoolMember member) {
        MemberAdmin admin = member.admin();
        node.put("address", member.name());
        node.put("host", member.host());
        node.put("state", label(member.state()));
        node.put("admin_state", admin.state().label());
        node.put("admin_by", admin.by());
        node.put("admin_since", admin.since().toString());
        node.put("reason", member.reason());
        node.put("weight", member.weight());
        node.put("configured_weight", member.configuredWeight());
        node.put("effective_weight", member.effectiveWeight());
        node.put("backup", member.backup());
        node.put("active_connections", member.activeConnections());
        node.put("max_connections", member.maxConnections());
        node.put("health_check_failures", member.healthCheckFailures());
        LastCheck check = member.lastCheck();
        if (check == null) {
            node.putNull("last_check");
        } else {
            ObjectNode last = node.putObject("last_check");
            last.put("passed", check.passed());
            last.put("detail", check.detail());
            last.put("at", check.at().toString());
        }
    }

    /**
     * {@code GET /api/connections?listener=&backend=&client=&limit=}: {@code backend} is a member's address,
     * {@code client} an IP or IP:port, {@code limit} 1-{@value #MAX_LIMIT} (default {@value #DEFAULT_LIMIT}).
     */
    AdminResponse connections(Map<String, List<String>> query) {
        String listenerName = param(query, "listener");
        String backend = param(query, "backend");
        String client = param(query, "client");
        String limitText = param(query, "limit");
        int limit = DEFAULT_LIMIT;
        if (limitText != null) {
            try {
                limit = Integer.parseInt(limitText);
            } catch (NumberFormatException e) {
                limit = -1;
            }
            if (limit < 1 || limit > MAX_LIMIT) {
                return AdminResponse.error(HttpResponseStatus.BAD_REQUEST,
                        "limit: " + limitText + " (expected: 1-" + MAX_LIMIT + ")");
            }
        }
        List<String> names = new ArrayList<>(forwarder.config().listeners().keySet());
        if (listenerName != null) {
            if (!names.contains(listenerName)) {
                return AdminResponse.error(HttpResponseStatus.NOT_FOUND, "no listener " + listenerName);
            }
            names = List.of(listenerName);
        }
        Predicate<ConnectionSnapshot> filter = c -> (backend == null || backend.equals(c.backend()))
                && (client == null || dev.forwarder.app.capture.TapFilter.clientMatches(client, c.client()));
        ArrayNode connections = MAPPER.createArrayNode();
        int left = limit;
        boolean truncated = false;
        for (String name : names) {
            BoundListener listener = running(name);
            if (listener == null) {
                continue;
            }
            // One more than fits tells whether the list was cut.
            List<ConnectionSnapshot> found = listener.connections(filter, left + 1);
            truncated |= found.size() > left;
            for (ConnectionSnapshot connection : found.subList(0, Math.min(left, found.size()))) {
                connection(connections.addObject(), connection);
            }
            left -= Math.min(left, found.size());
        }
        ObjectNode body = MAPPER.createObjectNode();
        body.put("count", connections.size());
        body.put("limit", limit);
        body.put("truncated", truncated);
        body.set("connections", connections);
        return AdminResponse.ok(body);
    }

    private static void connection(ObjectNode node, ConnectionSnapshot connection) {
        node.put("id", connection.id());
        node.put("listener", connection.listener());
        node.put("client", connection.client());
        node.put("backend", connection.backend());
        node.put("state", label(connection.state()));
        node.put("started", connection.started().toString());
        node.put("duration_ms", connection.durationMillis());
        node.put("bytes_up", connection.bytesUp());
        node.put("bytes_down", connection.bytesDown());
        node.put("bytes_spliced", connection.bytesSpliced());
        ArrayNode failed = node.putArray("failed_backends");
        connection.failedBackends().forEach(failed::add);
        if (connection.choice() != null) {
            node.put("choice", connection.choice());
        }
        if (connection.summary() != null) {
            node.put("summary", connection.summary());
        }
        // The timeline, in milliseconds from accept; null where it has not happened yet.
        millis(node, "connect_ms", connection.connectMillis());
        millis(node, "first_up_ms", connection.firstUpMillis());
        millis(node, "first_down_ms", connection.firstDownMillis());
        node.put("first_close", connection.firstClose());
    }

    private static void millis(ObjectNode node, String field, double millis) {
        if (millis < 0) {
            node.putNull(field);
        } else {
            node.put(field, millis);
        }
    }

    /**
     * {@code GET /readyz}: 200 while every listener accepts, every pool has a member up and forwarder is not
     * draining; otherwise 503 with the first reason found.
     */
    AdminResponse readiness() {
        String reason = notReady();
        ObjectNode body = MAPPER.createObjectNode();
        body.put("ready", reason == null);
        if (reason == null) {
            return AdminResponse.ok(body);
        }
        body.put("reason", reason);
        return AdminResponse.json(HttpResponseStatus.SERVICE_UNAVAILABLE, body);
    }

    private String notReady() {
        if (forwarder.draining()) {
            return "draining";
        }
        ForwarderConfig config = forwarder.config();
        for (String name : config.listeners().keySet()) {
            BoundListener listener = running(name);
            if (listener == null || !listener.isAccepting()) {
                return "listener " + name + " is not accepting";
            }
        }
        for (PoolConfig poolConfig : config.pools().values()) {
            Pool pool = running(poolConfig);
            if (pool == null || !pool.available()) {
                return "pool " + poolConfig.name() + " has no member up";
            }
        }
        return null;
    }

    /** The running listener, or null when a reload removed it between the config read and now. */
    private BoundListener running(String name) {
        try {
            return forwarder.listener(name);
        } catch (IllegalArgumentException removedMeanwhile) {
            return null;
        }
    }

    private Pool running(PoolConfig config) {
        try {
            return forwarder.pool(config.name());
        } catch (IllegalArgumentException removedMeanwhile) {
            return null;
        }
    }

    private static String param(Map<String, List<String>> query, String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() || values.get(0).isEmpty() ? null : values.get(0);
    }

    static String label(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    static String label(MemberState state) {
        return label((Enum<?>) state);
    }
}
