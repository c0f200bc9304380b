package dev.forwarder.app.config;

import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.forwarder.app.capture.CaptureMode;
import dev.forwarder.app.capture.CaptureSettings;
import dev.forwarder.balancer.BackendSpec;
import dev.forwarder.core.Splice;
import dev.forwarder.core.Transport;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/** Reads the merged {@code forwarder} object into {@link ForwarderConfig}, checking every key against its set. */
final class SettingsReader {

    static final List<String> FORWARDER_KEYS = List.of("transport", "io-threads", "shutdown-timeout",
            "metrics", "listener-defaults", "pool-defaults", "listeners", "pools", "admin", "log");
    static final List<String> METRICS_KEYS = List.of("enabled", "jmx");
    static final List<String> ADMIN_KEYS = List.of("enabled", "bind", "token");
    static final List<String> LOG_KEYS = List.of("format");
    static final Map<String, LogFormat> LOG_FORMATS = PoolReader.choices(LogFormat.values());
    static final List<String> LISTENER_DEFAULT_KEYS = concat(List.of("idle-timeout", "backlog", "defer-accept",
            "write-buffer-low-water-mark", "write-buffer-high-water-mark", "when-no-backend", "splice", "capture",
            "tls"),
            ProtectionReader.KEYS);
    static final List<String> CAPTURE_KEYS = List.of("mode", "max-bytes", "dir", "max-file-size", "max-files",
            "summary");
    static final Map<String, Boolean> OFF_ON = offOn();
    static final Map<String, CaptureMode> CAPTURE_MODES = PoolReader.choices(CaptureMode.values());
    static final List<String> LISTENER_KEYS = concat(List.of("bind", "pool"), LISTENER_DEFAULT_KEYS);
    static final List<String> POOL_KEYS = concat(PoolReader.POOL_DEFAULT_KEYS, List.of("backends"));
    static final Map<String, WhenNoBackend> WHEN_NO_BACKEND = PoolReader.choices(WhenNoBackend.values());
    static final Map<String, Splice> SPLICE = PoolReader.choices(Splice.values());

    private static final String ROOT = "forwarder";
    private static final String LISTENER_DEFAULTS = ROOT + ".listener-defaults";
    private static final String POOL_DEFAULTS = ROOT + ".pool-defaults";

    /** The user's file, named in errors that belong to no line. */
    private final String source;

    SettingsReader(String source) {
        this.source = source;
    }

    ForwarderConfig read(ConfigObject forwarder) {
        ConfigFields root = new ConfigFields(forwarder, ROOT);
        root.checkKeys(FORWARDER_KEYS);
        Transport transport = transport(root);
        int ioThreads = root.intIn("io-threads", 0, ForwarderConfig.MAX_IO_THREADS);
        Duration shutdownTimeout = root.duration("shutdown-timeout", false);
        ConfigFields metrics = new ConfigFields(root.objectOrEmpty("metrics"), ROOT + ".metrics");
        metrics.checkKeys(METRICS_KEYS);
        boolean metricsEnabled = metrics.bool("enabled");
        AdminConfig admin = admin(root);
        boolean metricsJmx = metrics.bool("jmx");
        ConfigFields logging = new ConfigFields(root.objectOrEmpty("log"), ROOT + ".log");
        logging.checkKeys(LOG_KEYS);
        LogFormat logFormat = logging.choice("format", LOG_FORMATS);

        // The defaults are checked on their own too, so that their errors name their own keys.
        ConfigObject listenerDefaults = root.objectOrEmpty("listener-defaults");
        ConfigFields listenerDefaultFields = new ConfigFields(listenerDefaults, LISTENER_DEFAULTS);
        listenerDefaultFields.checkKeys(LISTENER_DEFAULT_KEYS);
        listenerTuning(listenerDefaultFields);
        ProtectionReader.read(listenerDefaultFields);
        ConfigObject poolDefaults = root.objectOrEmpty("pool-defaults");
        ConfigFields poolDefaultFields = new ConfigFields(poolDefaults, POOL_DEFAULTS);
        poolDefaultFields.checkKeys(PoolReader.POOL_DEFAULT_KEYS);
        PoolReader.tuning(poolDefaultFields);
        TlsReader.pool(poolDefaultFields.nested("tls"));

        Map<String, PoolConfig> pools = new LinkedHashMap<>();
        ConfigObject poolObjects = root.objectOrEmpty("pools");
        for (String name : ConfigFields.keysByLine(poolObjects)) {
            String path = ConfigFields.join(ROOT + ".pools", name);
            ConfigObject object = object(poolObjects.get(name), path);
            ConfigFields fields = new ConfigFields(object, path, poolDefaults, POOL_DEFAULTS);
            fields.checkKeys(POOL_KEYS);
            PoolReader.Tuning tuning = PoolReader.tuning(fields);
            List<BackendSpec> backends = PoolReader.backends(fields);
            PoolTls tls = TlsReader.pool(fields.nested("tls"));
            pools.put(name, build(object, path, () -> new PoolConfig(name, tuning.strategy(),
                    tuning.connectTimeout(), tuning.connectTries(), tuning.connectDeadline(), tuning.queueTimeout(),
                    tuning.settings(), backends, tls)));
        }
        TlsReader.listener(listenerDefaultFields.nested("tls"), pools.keySet());

        Map<String, ListenerConfig> listeners = new LinkedHashMap<>();
        Map<InetSocketAddress, String> binds = new HashMap<>();
        ConfigObject listenerObjects = root.objectOrEmpty("listeners");
        for (String name : ConfigFields.keysByLine(listenerObjects)) {
            String path = ConfigFields.join(ROOT + ".listeners", name);
            ConfigObject object = object(listenerObjects.get(name), path);
            ConfigFields fields = new ConfigFields(object, path, listenerDefaults, LISTENER_DEFAULTS);
            fields.checkKeys(LISTENER_KEYS);
            InetSocketAddress bind =
                    address(fields.value("bind", "\"host:port\""), fields.pathOf("bind"), true).resolved();
            String pool = fields.string("pool", "the name of a pool");
            if (!pools.containsKey(pool)) {
                throw fields.error("pool", "\"" + pool + "\" is not a pool (expected one of: "
                        + (pools.isEmpty() ? "none defined in forwarder.pools" : String.join(", ", pools.keySet()))
                        + ")");
            }
            // Two listeners on one port would both bind under SO_REUSEPORT and silently share its connections.
            String other = bind.getPort() == 0 ? null : binds.putIfAbsent(bind, name);
            if (other != null) {
                throw fields.error("bind", "listener " + other + " already binds " + bind.getHostString() + ":"
                        + bind.getPort() + " (expected: one listener per address)");
            }
            ListenerTuning tuning = listenerTuning(fields);
            ProtectionConfig protection = ProtectionReader.read(fields);
            ListenerTls tls = TlsReader.listener(fields.nested("tls"), pools.keySet());
            listeners.put(name, build(object, path, () -> new ListenerConfig(name, bind, pool,
                    tuning.idleTimeout(), tuning.backlog(), tuning.lowWaterMark(), tuning.highWaterMark(),
                    tuning.whenNoBackend(), tuning.splice(), tuning.capture(), protection, tls,
                    tuning.deferAccept())));
        }
        if (listeners.isEmpty()) {
            throw new ConfigError(source, -1, ROOT + ".listeners", "no listener defined (expected: at least one,"
                    + " e.g. listeners { web { bind = \"127.0.0.1:8080\", pool = web } })");
        }
        return build(forwarder, ROOT,
                () -> new ForwarderConfig(transport, ioThreads, shutdownTimeout, metricsEnabled, metricsJmx, listeners,
                        pools, admin, logFormat));
    }

    private static AdminConfig admin(ConfigFields root) {
        ConfigObject object = root.objectOrEmpty("admin");
        ConfigFields admin = new ConfigFields(object, ROOT + ".admin");
        admin.checkKeys(ADMIN_KEYS);
        boolean enabled = admin.bool("enabled");
        InetSocketAddress bind = address(admin.value("bind", "\"host:port\""), admin.pathOf("bind"), true).resolved();
        String token = admin.string("token", "a string (empty: no token)");
        return build(object, ROOT + ".admin", () -> new AdminConfig(enabled, bind, token));

    }

    private static Transport transport(ConfigFields root) {
        String name = root.string("transport", "auto, epoll, io-uring or nio");
        for (Transport transport : Transport.values()) {
            if (transport.configName().equals(name)) {
                return transport;
            }
        }
        throw root.error("transport", "\"" + name + "\" is not a transport (expected one of: auto, epoll, io-uring, nio)");
    }

    private record ListenerTuning(Duration idleTimeout, int backlog, int lowWaterMark, int highWaterMark,
            WhenNoBackend whenNoBackend, Splice splice, CaptureSettings capture, Duration deferAccept) {
    }

    private static ListenerTuning listenerTuning(ConfigFields fields) {
        Duration idleTimeout = fields.duration("idle-timeout", false);
        int backlog = fields.intIn("backlog", 1, ListenerConfig.MAX_BACKLOG);
        int low = fields.bytesIn("write-buffer-low-water-mark", 1, ListenerConfig.MAX_WATER_MARK);
        int high = fields.bytesIn("write-buffer-high-water-mark", 1, ListenerConfig.MAX_WATER_MARK);
        if (high < low) {
            throw fields.error("write-buffer-high-water-mark", high + " bytes is below write-buffer-low-water-mark "
                    + low + " bytes (expected: high >= low)");
        }
        WhenNoBackend whenNoBackend = fields.choice("when-no-backend", WHEN_NO_BACKEND);
        Splice splice = fields.choice("splice", SPLICE);
        Duration deferAccept = fields.duration("defer-accept", false);
        return new ListenerTuning(idleTimeout, backlog, low, high, whenNoBackend, splice,
                capture(fields.nested("capture")), deferAccept);
    }

    /** {@code off} and {@code on}, in that order (error messages list them so). */
    private static Map<String, Boolean> offOn() {
        Map<String, Boolean> choices = new java.util.LinkedHashMap<>();
        choices.put("off", false);
        choices.put("on", true);
        return java.util.Collections.unmodifiableMap(choices);
    }

    /** A {@code capture { ... }} block; each key falls back to {@code listener-defaults.capture}. */
    static CaptureSettings capture(ConfigFields fields) {
        fields.checkKeys(CAPTURE_KEYS);
        CaptureMode mode = fields.choice("mode", CAPTURE_MODES);
        long maxBytes = fields.sizeIn("max-bytes", 1, CaptureSettings.MAX_SIZE);
        String dir = fields.string("dir", "a directory");
        if (dir.isBlank()) {
            throw fields.error("dir", "\"\" is empty (expected: a directory, e.g. \"captures\")");
        }
        Path path;
        try {
            path = Path.of(dir);
        } catch (java.nio.file.InvalidPathException e) {
            throw fields.error("dir", "\"" + dir + "\" is not a path (expected: a directory)");
        }
        long maxFileSize = fields.sizeIn("max-file-size", CaptureSettings.MIN_FILE_SIZE, CaptureSettings.MAX_SIZE);
        int maxFiles = fields.intIn("max-files", 1, CaptureSettings.MAX_FILES);
        boolean summary = fields.choice("summary", OFF_ON);
        return new CaptureSettings(mode, maxBytes, path, maxFileSize, maxFiles, summary);
    }

    /** An address as written ({@code host} without brackets), and resolved. */
    record HostPort(String host, int port, InetSocketAddress resolved) {
    }

    /** {@code host:port} (an IPv6 literal in brackets), resolved now so that a bad name fails at start. */
    static HostPort address(ConfigValue value, String path, boolean portZeroAllowed) {
        if (value.valueType() != ConfigValueType.STRING) {
            throw ConfigError.at(value.origin(), path, ConfigFields.render(value)
                    + " is not an address (expected: \"host:port\")");
        }
        String text = (String) value.unwrapped();
        String host;
        String port;
        if (text.startsWith("[")) {
            int close = text.indexOf(']');
            host = close < 0 ? "" : text.substring(1, close);
            port = close < 0 || !text.startsWith(":", close + 1) ? "" : text.substring(close + 2);
        } else {
            int colon = text.lastIndexOf(':');
            host = colon < 0 || text.indexOf(':') != colon ? "" : text.substring(0, colon);
            port = colon < 0 ? "" : text.substring(colon + 1);
        }
        if (host.isBlank() || !port.matches("[0-9]{1,5}")) {
            throw ConfigError.at(value.origin(), path, "\"" + text + "\" is not host:port (expected: e.g. "
                    + "\"127.0.0.1:9001\" or \"[::1]:9001\")");
        }
        int number = Integer.parseInt(port);
        int min = portZeroAllowed ? 0 : 1;
        if (number < min || number > 65535) {
            throw ConfigError.at(value.origin(), path,
                    "\"" + text + "\" has port " + number + " (expected: " + min + "-65535)");
        }
        InetSocketAddress address = new InetSocketAddress(host, number);
        if (address.isUnresolved()) {
            throw ConfigError.at(value.origin(), path, "\"" + text + "\": host " + host + " does not resolve");
        }
        return new HostPort(host, number, address);
    }

    private static ConfigObject object(ConfigValue value, String path) {
        if (value.valueType() != ConfigValueType.OBJECT) {
            throw ConfigError.at(value.origin(), path,
                    ConfigFields.render(value) + " is not an object (expected: { ... })");
        }
        return (ConfigObject) value;
    }

    /** Runs a record constructor; a check the reader missed still names where the object came from. */
    private static <T> T build(ConfigObject object, String path, Supplier<T> constructor) {
        try {
            return constructor.get();
        } catch (IllegalArgumentException e) {
            throw ConfigError.at(object.origin(), path, e.getMessage());
        }
    }

    private static List<String> concat(List<String> first, List<String> second) {
        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        return List.copyOf(all);
    }
}
