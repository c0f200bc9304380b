package dev.forwarder.app.config;

import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.forwarder.core.access.AccessSettings;
import dev.forwarder.core.access.Cidr;
import dev.forwarder.core.proxy.ProxyProtocol;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Reads a listener's (or {@code listener-defaults}') access, limit and PROXY-header keys. */
final class ProtectionReader {

    static final List<String> KEYS = List.of("allow", "deny", "max-connections", "max-connections-per-client",
            "accept-rate-per-client", "first-byte-timeout", "accept-proxy", "proxy-header-timeout",
            "accept-proxy-from");
    static final int MAX_LIMIT = 1_000_000;
    static final Map<String, ProxyProtocol> ACCEPT_PROXY = PoolReader.choices(ProxyProtocol.values());
    static final Map<String, ProxyProtocol> SEND_PROXY =
            PoolReader.choices(new ProxyProtocol[] {ProxyProtocol.OFF, ProxyProtocol.V1, ProxyProtocol.V2});

    private ProtectionReader() {
    }

    static ProtectionConfig read(ConfigFields fields) {
        List<Cidr> allow = networks(fields, "allow");
        List<Cidr> deny = networks(fields, "deny");
        int maxConnections = fields.intIn("max-connections", 0, MAX_LIMIT);
        int perClient = fields.intIn("max-connections-per-client", 0, MAX_LIMIT);
        int rate = fields.intIn("accept-rate-per-client", 0, MAX_LIMIT);
        Duration firstByte = fields.duration("first-byte-timeout", false);
        ProxyProtocol acceptProxy = fields.choice("accept-proxy", ACCEPT_PROXY);
        Duration headerTimeout = fields.duration("proxy-header-timeout", true);
        List<Cidr> trusted = networks(fields, "accept-proxy-from");
        return new ProtectionConfig(
                new AccessSettings(allow, deny, maxConnections, perClient, rate, firstByte, trusted),
                acceptProxy, headerTimeout);
    }

    /** A list of CIDR strings; each bad entry is an error at its own line, e.g. {@code allow[1]}. */
    private static List<Cidr> networks(ConfigFields fields, String key) {
        ConfigList list = fields.list(key, "a list of networks, e.g. [\"10.0.0.0/8\", \"2001:db8::/32\"]");
        String path = fields.pathOf(key);
        List<Cidr> networks = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            ConfigValue value = list.get(i);
            String at = path + "[" + i + "]";
            if (value.valueType() != ConfigValueType.STRING) {
                throw ConfigError.at(value.origin(), at, ConfigFields.render(value)
                        + " is not a network (expected: a string, e.g. \"10.0.0.0/8\")");
            }
            try {
                networks.add(Cidr.parse((String) value.unwrapped()));
            } catch (IllegalArgumentException e) {
                throw ConfigError.at(value.origin(), at, e.getMessage());
            }
        }
        return networks;
    }
}
