package dev.forwarder.app.config;

import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.forwarder.balancer.BackendSpec;
import dev.forwarder.balancer.BalancingStrategy;
import dev.forwarder.balancer.MemberState;
import dev.forwarder.balancer.OnDown;
import dev.forwarder.balancer.PoolSettings;
import dev.forwarder.balancer.health.HealthCheckSettings;
import dev.forwarder.balancer.health.HealthCheckType;
import dev.forwarder.core.proxy.ProxyProtocol;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Reads a pool's keys (or {@code pool-defaults}): connect policy, limits, health, slow start, DNS, backends. */
final class PoolReader {

    static final List<String> POOL_DEFAULT_KEYS = List.of("strategy", "connect-timeout", "connect-tries",
            "connect-deadline", "max-connections", "queue-timeout", "max-queue", "max-fails", "fail-timeout",
            "slow-start", "on-down", "resolve-interval", "health-check", "send-proxy", "tls");
    static final List<String> HEALTH_CHECK_KEYS = List.of("type", "interval", "timeout", "rise", "fall", "jitter",
            "send", "expect", "expect-regex", "path", "expect-status", "initial-state");
    static final List<String> BACKEND_KEYS = List.of("address", "weight", "backup", "max-connections");
    static final int MAX_CONNECTIONS = 1_000_000;

    static final Map<String, OnDown> ON_DOWN = choices(OnDown.values());
    static final Map<String, HealthCheckType> CHECK_TYPES = choices(HealthCheckType.values());
    static final Map<String, MemberState> INITIAL_STATES =
            choices(new MemberState[] {MemberState.DOWN, MemberState.UP});

    private PoolReader() {
    }

    /** Everything of a pool but its backends. */
    record Tuning(String strategy, Duration connectTimeout, int connectTries, Duration connectDeadline,
            Duration queueTimeout, PoolSettings settings) {
    }

    static Tuning tuning(ConfigFields fields) {
        String strategy = fields.string("strategy", String.join(" or ", BalancingStrategy.names()));
        if (!BalancingStrategy.names().contains(strategy)) {
            throw fields.error("strategy", "\"" + strategy + "\" is not a strategy (expected one of: "
                    + String.join(", ", BalancingStrategy.names()) + ")");
        }
        Duration connectTimeout = fields.duration("connect-timeout", true);
        int connectTries = fields.intIn("connect-tries", 1, PoolConfig.MAX_CONNECT_TRIES);
        Duration connectDeadline = fields.duration("connect-deadline", true);
        int maxConnections = fields.intIn("max-connections", 0, MAX_CONNECTIONS);
        Duration queueTimeout = fields.duration("queue-timeout", false);
        int maxQueue = fields.intIn("max-queue", 1, PoolSettings.MAX_QUEUE);
        int maxFails = fields.intIn("max-fails", 0, PoolSettings.MAX_FAILS);
        Duration failTimeout = fields.duration("fail-timeout", false);
        Duration slowStart = fields.duration("slow-start", false);
        OnDown onDown = fields.choice("on-down", ON_DOWN);
        Duration resolveInterval = fields.duration("resolve-interval", false);
        HealthCheckSettings check = healthCheck(fields.nested("health-check"));
        ProxyProtocol sendProxy = fields.choice("send-proxy", ProtectionReader.SEND_PROXY);
        return new Tuning(strategy, connectTimeout, connectTries, connectDeadline, queueTimeout, new PoolSettings(
                maxConnections, maxQueue, maxFails, failTimeout, slowStart, onDown, resolveInterval, check,
                sendProxy));
    }

    static HealthCheckSettings healthCheck(ConfigFields fields) {
        fields.checkKeys(HEALTH_CHECK_KEYS);
        HealthCheckType type = fields.choice("type", CHECK_TYPES);
        Duration interval = fields.duration("interval", true);
        Duration timeout = fields.duration("timeout", true);
        int rise = fields.intIn("rise", 1, HealthCheckSettings.MAX_COUNT);
        int fall = fields.intIn("fall", 1, HealthCheckSettings.MAX_COUNT);
        int jitter = fields.percentIn("jitter", HealthCheckSettings.MAX_JITTER);
        String send = fields.string("send", "a string");
        String expect = fields.string("expect", "a string");
        String expectRegex = fields.string("expect-regex", "a regular expression");
        String path = fields.string("path", "a path starting with /");
        int[] status = statusRange(fields);
        MemberState initialState = fields.choice("initial-state", INITIAL_STATES);
        if (!expectRegex.isEmpty()) {
            try {
                Pattern.compile(expectRegex);
            } catch (PatternSyntaxException e) {
                throw fields.error("expect-regex", "\"" + expectRegex + "\" is not a regular expression: "
                        + e.getDescription());
            }
        }
        if (type == HealthCheckType.SEND_EXPECT) {
            if (send.isEmpty()) {
                throw fields.ownError("send", "empty, but type = send-expect sends it (expected: e.g. "
                        + "send = \"PING\\r\\n\")");
            }
            if (expect.isEmpty() && expectRegex.isEmpty()) {
                throw fields.ownError("expect", "empty, and so is expect-regex (expected: one of them for type = "
                        + "send-expect, e.g. expect = \"+PONG\")");
            }
            if (!expect.isEmpty() && !expectRegex.isEmpty()) {
                throw fields.ownError("expect-regex", "set as well as expect (expected: one of them, not both)");
            }
        }
        if (!path.startsWith("/") || path.chars().anyMatch(c -> c <= ' ' || c == 127)) {
            throw fields.error("path", "\"" + path + "\" is not a path (expected: starts with /, no spaces)");
        }
        return new HealthCheckSettings(type, interval, timeout, rise, fall, jitter, send, expect, expectRegex, path,
                status[0], status[1], initialState);
    }

    /** {@code expect-status}: one status, or {@code [low, high]}, within 100-599. */
    private static int[] statusRange(ConfigFields fields) {
        String expected = "a status 100-599 or a range [low, high], e.g. [200, 399]";
        ConfigValue value = fields.value("expect-status", expected);
        List<Object> bounds = value.valueType() == ConfigValueType.LIST ? ((ConfigList) value).unwrapped()
                : List.of(value.unwrapped());
        if (bounds.isEmpty() || bounds.size() > 2 || !bounds.stream().allMatch(b -> b instanceof Integer)) {
            throw fields.error("expect-status", ConfigFields.render(value) + " is not a status range (expected: "
                    + expected + ")");
        }
        int low = (Integer) bounds.get(0);
        int high = (Integer) bounds.get(bounds.size() - 1);
        if (low < 100 || high > 599 || low > high) {
            throw fields.error("expect-status", ConfigFields.render(value) + " is out of range (expected: "
                    + expected + ")");
        }
        return new int[] {low, high};
    }

    static List<BackendSpec> backends(ConfigFields pool) {
        String expected = "a list of \"host:port\" or { address = \"host:port\", weight = 1 }";
        ConfigList list = pool.list("backends", expected);
        if (list.isEmpty()) {
            throw pool.error("backends", "[] is empty (expected: at least one backend)");
        }
        String listPath = pool.pathOf("backends");
        List<BackendSpec> backends = new ArrayList<>(list.size());
        Map<SameBackend, Integer> seen = new HashMap<>();
        for (int i = 0; i < list.size(); i++) {
            ConfigValue entry = list.get(i);
            String path = listPath + "[" + i + "]";
            ConfigValue addressValue;
            SettingsReader.HostPort address;
            BackendSpec backend;
            if (entry.valueType() == ConfigValueType.OBJECT) {
                ConfigFields fields = new ConfigFields((ConfigObject) entry, path);
                fields.checkKeys(BACKEND_KEYS);
                addressValue = fields.value("address", "\"host:port\"");
                address = SettingsReader.address(addressValue, fields.pathOf("address"), false);
                int weight = fields.has("weight") ? fields.intIn("weight", 1, BackendSpec.MAX_WEIGHT) : 1;
                boolean backup = fields.has("backup") && fields.bool("backup");
                int maxConnections = fields.has("max-connections")
                        ? fields.intIn("max-connections", 0, MAX_CONNECTIONS) : BackendSpec.POOL_DEFAULT;
                backend = new BackendSpec(address.host(), address.port(), weight, backup, maxConnections);
            } else {
                addressValue = entry;
                address = SettingsReader.address(entry, path, false);
                backend = new BackendSpec(address.host(), address.port(), 1, false);
            }
            Integer first = seen.putIfAbsent(SameBackend.of(address), i);
            if (first != null) {
                throw ConfigError.at(addressValue.origin(), path, "\"" + backend.authority() + "\" is also backends["
                        + first + "] (expected: " + duplicateHint(backends.get(first), backend) + ")");
            }
            backends.add(backend);
        }
        return backends;
    }

    /**
     * Two entries are one backend when their ports match and their hosts are the same IP address however it is
     * written ({@code ::1}, {@code 0:0:0:0:0:0:0:1}) or the same hostname, ignoring case: the pool would keep
     * one member for both, with the first entry's weight and role. A hostname that resolves to another entry's
     * address is not caught here: what a name resolves to may change while running, and the pool then keeps one
     * member per address.
     */
    private record SameBackend(Object host, int port) {

        static SameBackend of(SettingsReader.HostPort address) {
            // A hostname has no ':' and is not all digits and dots; such a host is parsed, never looked up.
            String host = address.host();
            boolean literal = host.indexOf(':') >= 0 || host.matches("[0-9.]+");
            return new SameBackend(literal ? address.resolved().getAddress() : host.toLowerCase(Locale.ROOT),
                    address.port());
        }
    }

    private static String duplicateHint(BackendSpec first, BackendSpec again) {
        if (first.backup() == again.backup()) {
            return "each backend once";
        }
        return again.backup() ? "each backend once; a backup on a primary's address would never be used"
                : "each backend once; a primary on a backup's address would only ever be a backup";
    }

    /** Enum constants by their config names ({@code SEND_EXPECT} as {@code send-expect}), in declaration order. */
    static <E extends Enum<E>> Map<String, E> choices(E[] values) {
        Map<String, E> byName = new LinkedHashMap<>();
        for (E value : values) {
            byName.put(label(value), value);
        }
        return byName;
    }

    static String label(Enum<?> value) {
        return value.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
