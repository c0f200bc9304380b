package dev.forwarder.app.config;

import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.forwarder.core.tls.TlsContexts;
import dev.forwarder.core.tls.TlsProvider;
import dev.forwarder.core.tls.TlsTermination;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslProvider;

import javax.net.ssl.SSLException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads the {@code tls} blocks of listeners and pools, reads the PEM files they name and builds their contexts
 * now, so that a missing file, a bad certificate or a key that does not fit fails the load (and a reload keeps the
 * running config) with the file, line and key that named it. Relative paths are taken from the directory of the
 * file the key is written in.
 */
final class TlsReader {

    static final List<String> LISTENER_KEYS = List.of("certificate", "key", "sni-pools", "alpn-pools", "alpn",
            "provider", "handshake-timeout");
    static final List<String> POOL_KEYS = List.of("enabled", "ca-file", "verify", "server-name", "alpn",
            "provider");
    static final Map<String, TlsProvider> PROVIDERS = PoolReader.choices(TlsProvider.values());

    private TlsReader() {
    }

    /** A listener's (or listener-defaults') {@code tls}; {@code pools} the names sni-pools and alpn-pools may use. */
    static ListenerTls listener(ConfigFields tls, Set<String> pools) {
        tls.checkKeys(LISTENER_KEYS);
        String certificate = tls.string("certificate", "a PEM file, \"\" for no TLS");
        String key = tls.string("key", "a PEM file");
        Map<String, String> sniPools = sniPools(tls, pools);
        List<String> alpn = alpn(tls);
        Map<String, String> alpnPools = alpnPools(tls, pools, alpn);
        TlsProvider provider = tls.choice("provider", PROVIDERS);
        Duration handshakeTimeout = tls.duration("handshake-timeout", true);
        if (certificate.isEmpty()) {
            if (!key.isEmpty()) {
                throw tls.error("key", "\"" + key + "\" without a certificate (expected: both, or neither)");
            }
            if (!sniPools.isEmpty()) {
                throw tls.error("sni-pools", "set without a certificate (expected: tls.certificate too)");
            }
            if (!alpnPools.isEmpty()) {
                throw tls.error("alpn-pools", "set without a certificate (expected: tls.certificate too)");
            }
            return ListenerTls.OFF;
        }
        if (key.isEmpty()) {
            throw tls.error("key", "missing (expected: the PEM private key of " + certificate + ")");
        }
        SslProvider engine = engine(tls, provider);
        Path chainPath = path(tls, "certificate");
        Path keyPath = path(tls, "key");
        byte[] chain = read(tls, "certificate", chainPath);
        byte[] keyBytes = read(tls, "key", keyPath);
        checkCertificates(tls, "certificate", chain);
        SslContext context;
        try {
            context = TlsContexts.server(chain, keyBytes, alpn, engine);
        } catch (SSLException e) {
            throw tls.error("key", keyPath + " does not fit " + chainPath + " or is not a PEM private key (PKCS#8, "
                    + "unencrypted): " + e.getMessage());
        }
        return new ListenerTls(chainPath, keyPath, sniPools, alpnPools, alpn, provider, handshakeTimeout,
                digest(chain, keyBytes), context);
    }

    /** A pool's (or pool-defaults') {@code tls}. */
    static PoolTls pool(ConfigFields tls) {
        tls.checkKeys(POOL_KEYS);
        boolean enabled = tls.bool("enabled");
        String caFile = tls.string("ca-file", "a PEM file, \"\" for the JDK's trust store");
        boolean verify = tls.bool("verify");
        String serverName = tls.string("server-name", "a host name, \"\" for each backend's host");
        List<String> alpn = alpn(tls);
        TlsProvider provider = tls.choice("provider", PROVIDERS);
        if (!enabled) {
            return PoolTls.OFF;
        }
        SslProvider engine = engine(tls, provider);
        Path caPath = caFile.isEmpty() ? null : path(tls, "ca-file");
        byte[] ca = caPath == null ? null : read(tls, "ca-file", caPath);
        if (ca != null) {
            checkCertificates(tls, "ca-file", ca);
        }
        SslContext context;
        try {
            context = TlsContexts.client(ca, verify, alpn, engine);
        } catch (SSLException e) {
            throw tls.error(ca == null ? "enabled" : "ca-file", "no TLS client context: " + e.getMessage());
        }
        return new PoolTls(true, caPath, verify, serverName, alpn, provider,
                ca == null ? "" : digest(ca, new byte[0]), context);
    }

    private static SslProvider engine(ConfigFields tls, TlsProvider provider) {
        try {
            return provider.resolve();
        } catch (IllegalArgumentException e) {
            throw tls.error("provider", e.getMessage());
        }
    }

    private static Map<String, String> sniPools(ConfigFields tls, Set<String> pools) {
        ConfigObject object = tls.objectOrEmpty("sni-pools");
        String base = tls.pathOf("sni-pools");
        Map<String, String> byName = new LinkedHashMap<>();
        for (String name : ConfigFields.keysByLine(object)) {
            ConfigValue value = object.get(name);
            String at = base + "." + ConfigUtil.joinPath(name);
            String pool = poolName(value, at, pools, "\"server.name\" = pool, the name in quotes where it has dots");
            if (byName.put(TlsTermination.normalize(name), pool) != null) {
                throw ConfigError.at(value.origin(), at, "server name given twice (names are compared in lower case,"
                        + " without a trailing dot)");
            }
        }
        return byName;
    }

    /**
     * Pools by ALPN protocol. Each key must be one {@code alpn} offers, exactly (ALPN names are compared byte for
     * byte): a protocol never offered is never agreed, so its entry could never pick, and is a mistake to say so.
     */
    private static Map<String, String> alpnPools(ConfigFields tls, Set<String> pools, List<String> alpn) {
        ConfigObject object = tls.objectOrEmpty("alpn-pools");
        String base = tls.pathOf("alpn-pools");
        Map<String, String> byProtocol = new LinkedHashMap<>();
        for (String protocol : ConfigFields.keysByLine(object)) {
            ConfigValue value = object.get(protocol);
            String at = base + "." + ConfigUtil.joinPath(protocol);
            String pool = poolName(value, at, pools, "\"protocol\" = pool, e.g. \"h2\" = grpc");
            if (!alpn.contains(protocol)) {
                throw ConfigError.at(value.origin(), at, "\"" + protocol + "\" is not offered by " + tls.pathOf("alpn")
                        + " (expected one of: " + (alpn.isEmpty() ? "none, alpn is empty: add it to alpn"
                        : String.join(", ", alpn)) + "; names are compared exactly)");
            }
            byProtocol.put(protocol, pool);
        }
        return byProtocol;
    }

    /** The pool {@code value} names, checked to be one of {@code pools}. */
    private static String poolName(ConfigValue value, String at, Set<String> pools, String form) {
        if (value.valueType() != ConfigValueType.STRING) {
            throw ConfigError.at(value.origin(), at, ConfigFields.render(value) + " is not a pool name (expected: "
                    + form + ")");
        }
        String pool = (String) value.unwrapped();
        if (!pools.contains(pool)) {
            throw ConfigError.at(value.origin(), at, "\"" + pool + "\" is not a pool (expected one of: "
                    + (pools.isEmpty() ? "none defined in forwarder.pools" : String.join(", ", pools)) + ")");
        }
        return pool;
    }

    private static List<String> alpn(ConfigFields tls) {
        ConfigList list = tls.list("alpn", "a list of protocol names, e.g. [\"h2\", \"http/1.1\"]");
        String path = tls.pathOf("alpn");
        List<String> protocols = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            ConfigValue value = list.get(i);
            String text = value.valueType() == ConfigValueType.STRING ? (String) value.unwrapped() : null;
            if (text == null || text.isEmpty() || text.length() > 255 || !text.chars().allMatch(c -> c > 32 && c < 127)) {
                throw ConfigError.at(value.origin(), path + "[" + i + "]", ConfigFields.render(value)
                        + " is not a protocol name (expected: 1-255 printable ASCII characters, e.g. \"h2\")");
            }
            protocols.add(text);
        }
        return protocols;
    }

    /** The path {@code key} names, relative ones against the directory of the file the key is written in. */
    private static Path path(ConfigFields tls, String key) {
        ConfigValue value = tls.value(key, "a PEM file");
        String text = (String) value.unwrapped();
        Path path;
        try {
            path = Path.of(text);
        } catch (InvalidPathException e) {
            throw tls.error(key, "\"" + text + "\" is not a path (expected: a PEM file)");
        }
        String file = value.origin().filename();
        if (!path.isAbsolute() && file != null) {
            Path dir = Path.of(file).toAbsolutePath().getParent();
            path = dir == null ? path : dir.resolve(path);
        }
        return path.normalize();
    }

    private static byte[] read(ConfigFields tls, String key, Path path) {
        try {
            return Files.readAllBytes(path);
        } catch (IOException | SecurityException e) {
            String why = e instanceof java.nio.file.NoSuchFileException ? "no such file"
                    : e instanceof java.nio.file.AccessDeniedException ? "permission denied" : e.toString();
            throw tls.error(key, "cannot read " + path + ": " + why);
        }
    }

    private static void checkCertificates(ConfigFields tls, String key, byte[] pem) {
        try {
            if (CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(pem)).isEmpty()) {
                throw tls.error(key, "holds no certificate (expected: PEM, -----BEGIN CERTIFICATE-----)");
            }
        } catch (CertificateException e) {
            throw tls.error(key, "is not a PEM certificate file: " + e.getMessage());
        }
    }

    private static String digest(byte[] first, byte[] second) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(first);
            sha.update((byte) 0);
            sha.update(second);
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
