package dev.forwarder.app.config;

import com.typesafe.config.ConfigUtil;
import dev.forwarder.balancer.BackendSpec;
import dev.forwarder.balancer.PoolSettings;
import dev.forwarder.balancer.health.HealthCheckSettings;
import dev.forwarder.core.Transport;
import dev.forwarder.core.access.AccessSettings;
import dev.forwarder.core.access.Cidr;

import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/**
 * Writes a {@link ForwarderConfig} back as HOCON, with every default applied: what {@code check} prints. The
 * output reads back through {@link ConfigLoader} into an equal config.
 */
public final class ConfigPrinter {

    private static final long KIB = 1024;

    private ConfigPrinter() {
    }

    /** The effective {@code forwarder} block. */
    public static String render(ForwarderConfig config) {
        StringBuilder out = new StringBuilder(1024);
        out.append("forwarder {\n");
        line(out, 1, "transport", transport(config.transport()));
        line(out, 1, "io-threads", Integer.toString(config.ioThreads()));
        line(out, 1, "shutdown-timeout", duration(config.shutdownTimeout()));
        out.append("  metrics {\n");
        line(out, 2, "enabled", Boolean.toString(config.metricsEnabled()));
        line(out, 2, "jmx", Boolean.toString(config.metricsJmx()));
        out.append("  }\n");
        out.append("  admin {\n");
        line(out, 2, "enabled", Boolean.toString(config.admin().enabled()));
        line(out, 2, "bind", ConfigUtil.quoteString(dev.forwarder.core.Addresses.format(config.admin().bind())));
        if (config.admin().token().isEmpty()) {
            line(out, 2, "token", "\"\"");
        } else {
            out.append("    # token is set (not shown)\n");
        }
        out.append("  }\n");
        out.append("  log {\n");
        line(out, 2, "format", config.logFormat().label());
        out.append("  }\n");
        out.append("  listeners {\n");
        for (ListenerConfig listener : config.listeners().values()) {
            out.append("    ").append(ConfigUtil.joinPath(listener.name())).append(" {\n");
            line(out, 3, "bind", ConfigUtil.quoteString(listener.bindAuthority()));
            line(out, 3, "pool", ConfigUtil.quoteString(listener.pool()));
            line(out, 3, "idle-timeout", duration(listener.idleTimeout()));
            line(out, 3, "backlog", Integer.toString(listener.backlog()));
            line(out, 3, "defer-accept", duration(listener.deferAccept()));
            line(out, 3, "write-buffer-low-water-mark", size(listener.writeBufferLowWaterMark()));
            line(out, 3, "write-buffer-high-water-mark", size(listener.writeBufferHighWaterMark()));
            line(out, 3, "when-no-backend", listener.whenNoBackend().label());
            line(out, 3, "splice", PoolReader.label(listener.splice()));
            out.append("      capture {\n");
            line(out, 4, "mode", listener.capture().mode().label());
            line(out, 4, "max-bytes", size(listener.capture().maxBytes()));
            line(out, 4, "dir", ConfigUtil.quoteString(listener.capture().dir().toString()));
            line(out, 4, "max-file-size", size(listener.capture().maxFileSize()));
            line(out, 4, "max-files", Integer.toString(listener.capture().maxFiles()));
            line(out, 4, "summary", listener.capture().summary() ? "on" : "off");
            out.append("      }\n");
            protection(out, listener.protection());
            listenerTls(out, listener.tls());
            out.append("    }\n");
        }
        out.append("  }\n  pools {\n");
        for (PoolConfig pool : config.pools().values()) {
            out.append("    ").append(ConfigUtil.joinPath(pool.name())).append(" {\n");
            line(out, 3, "strategy", pool.strategy());
            line(out, 3, "connect-timeout", duration(pool.connectTimeout()));
            line(out, 3, "connect-tries", Integer.toString(pool.connectTries()));
            line(out, 3, "connect-deadline", duration(pool.connectDeadline()));
            line(out, 3, "queue-timeout", duration(pool.queueTimeout()));
            settings(out, pool.settings());
            poolTls(out, pool.tls());
            out.append("      backends = [\n");
            for (BackendSpec backend : pool.backends()) {
                out.append("        { address = ").append(ConfigUtil.quoteString(backend.authority()))
                        .append(", weight = ").append(backend.weight())
                        .append(", backup = ").append(backend.backup());
                if (backend.maxConnections() != BackendSpec.POOL_DEFAULT) {
                    out.append(", max-connections = ").append(backend.maxConnections());
                }
                out.append(" }\n");
            }
            out.append("      ]\n    }\n");
        }
        return out.append("  }\n}\n").toString();
    }

    /** Only where on: the paths as resolved, so the output reads back from anywhere. */
    private static void listenerTls(StringBuilder out, ListenerTls tls) {
        if (!tls.enabled()) {
            return;
        }
        out.append("      tls {\n");
        line(out, 4, "certificate", ConfigUtil.quoteString(tls.certificate().toString()));
        line(out, 4, "key", ConfigUtil.quoteString(tls.key().toString()));
        pools(out, "sni-pools", tls.sniPools());
        pools(out, "alpn-pools", tls.alpnPools());
        line(out, 4, "alpn", strings(tls.alpn()));
        line(out, 4, "provider", tls.provider().label());
        line(out, 4, "handshake-timeout", duration(tls.handshakeTimeout()));
        out.append("      }\n");
    }

    /** {@code key { "a" = "x", "b" = "y" }}, sorted so that the output is the same for the same config. */
    private static void pools(StringBuilder out, String key, Map<String, String> pools) {
        out.append("        ").append(key).append(" {");
        String separator = " ";
        for (Map.Entry<String, String> entry : new TreeMap<>(pools).entrySet()) {
            out.append(separator).append(ConfigUtil.quoteString(entry.getKey())).append(" = ")
                    .append(ConfigUtil.quoteString(entry.getValue()));
            separator = ", ";
        }
        out.append(" }\n");
    }

    private static void poolTls(StringBuilder out, PoolTls tls) {
        out.append("      tls {\n");
        line(out, 4, "enabled", Boolean.toString(tls.enabled()));
        line(out, 4, "ca-file", ConfigUtil.quoteString(tls.caFile() == null ? "" : tls.caFile().toString()));
        line(out, 4, "verify", Boolean.toString(tls.verify()));
        line(out, 4, "server-name", ConfigUtil.quoteString(tls.serverName()));
        line(out, 4, "alpn", strings(tls.alpn()));
        line(out, 4, "provider", tls.provider().label());
        out.append("      }\n");
    }

    private static String strings(java.util.List<String> values) {
        return "[" + String.join(", ", values.stream().map(ConfigUtil::quoteString).toList()) + "]";
    }

    private static void settings(StringBuilder out, PoolSettings settings) {
        line(out, 3, "max-connections", Integer.toString(settings.maxConnections()));
        line(out, 3, "max-queue", Integer.toString(settings.maxQueue()));
        line(out, 3, "max-fails", Integer.toString(settings.maxFails()));
        line(out, 3, "fail-timeout", duration(settings.failTimeout()));
        line(out, 3, "slow-start", duration(settings.slowStart()));
        line(out, 3, "on-down", PoolReader.label(settings.onDown()));
        line(out, 3, "resolve-interval", duration(settings.resolveInterval()));
        line(out, 3, "send-proxy", settings.sendProxy().label());
        HealthCheckSettings check = settings.healthCheck();
        out.append("      health-check {\n");
        line(out, 4, "type", check.type().label());
        line(out, 4, "interval", duration(check.interval()));
        line(out, 4, "timeout", duration(check.timeout()));
        line(out, 4, "rise", Integer.toString(check.rise()));
        line(out, 4, "fall", Integer.toString(check.fall()));
        line(out, 4, "jitter", check.jitterPercent() + "%");
        line(out, 4, "send", ConfigUtil.quoteString(check.send()));
        line(out, 4, "expect", ConfigUtil.quoteString(check.expect()));
        line(out, 4, "expect-regex", ConfigUtil.quoteString(check.expectRegex()));
        line(out, 4, "path", ConfigUtil.quoteString(check.path()));
        line(out, 4, "expect-status", "[" + check.expectStatusMin() + ", " + check.expectStatusMax() + "]");
        line(out, 4, "initial-state", PoolReader.label(check.initialState()));
        out.append("      }\n");
    }

    private static void protection(StringBuilder out, ProtectionConfig protection) {
        AccessSettings access = protection.access();
        line(out, 3, "allow", networks(access.allow()));
        line(out, 3, "deny", networks(access.deny()));
        line(out, 3, "max-connections", Integer.toString(access.maxConnections()));
        line(out, 3, "max-connections-per-client", Integer.toString(access.maxConnectionsPerClient()));
        line(out, 3, "accept-rate-per-client", Integer.toString(access.acceptRatePerClient()));
        line(out, 3, "first-byte-timeout", duration(access.firstByteTimeout()));
        line(out, 3, "accept-proxy", protection.acceptProxy().label());
        line(out, 3, "proxy-header-timeout", duration(protection.proxyHeaderTimeout()));
        line(out, 3, "accept-proxy-from", networks(access.acceptProxyFrom()));
    }

    private static String networks(java.util.List<Cidr> networks) {
        StringBuilder list = new StringBuilder("[");
        for (Cidr network : networks) {
            list.append(list.length() > 1 ? ", " : "").append(ConfigUtil.quoteString(network.toString()));
        }
        return list.append(']').toString();
    }

    private static void line(StringBuilder out, int depth, String key, String value) {
        out.append("  ".repeat(depth)).append(key).append(" = ").append(value).append('\n');
    }

    /** The largest HOCON unit that states {@code duration} exactly, e.g. {@code 10m}, {@code 1500ms}. */
    static String duration(Duration duration) {
        long nanos = duration.toNanos();
        if (nanos == 0) {
            return "0s";
        }
        String[] units = {"d", "h", "m", "s", "ms", "us", "ns"};
        long[] sizes = {86_400_000_000_000L, 3_600_000_000_000L, 60_000_000_000L, 1_000_000_000L, 1_000_000L,
                1_000L, 1L};
        for (int i = 0; i < units.length; i++) {
            if (nanos % sizes[i] == 0) {
                return nanos / sizes[i] + units[i];
            }
        }
        throw new AssertionError(duration);
    }

    /** A byte count in the largest binary unit that states it exactly, e.g. {@code 64 KiB}. */
    static String size(long bytes) {
        if (bytes != 0 && bytes % (KIB * KIB * KIB) == 0) {
            return bytes / (KIB * KIB * KIB) + " GiB";
        }
        if (bytes != 0 && bytes % (KIB * KIB) == 0) {
            return bytes / (KIB * KIB) + " MiB";
        }
        if (bytes != 0 && bytes % KIB == 0) {
            return bytes / KIB + " KiB";
        }
        return bytes + " B";
    }

    /** {@link Transport} names as the config spells them. */
    static String transport(Transport transport) {
        return transport.configName();
    }
}
