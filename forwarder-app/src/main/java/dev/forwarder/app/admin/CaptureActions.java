package dev.forwarder.app.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigUtil;
import dev.forwarder.app.Forwarder;
import dev.forwarder.app.capture.CaptureManager;
import dev.forwarder.app.capture.CaptureMode;
import dev.forwarder.app.capture.CaptureSettings;
import dev.forwarder.core.BoundListener;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static dev.forwarder.app.admin.AdminResponse.MAPPER;

/**
 * {@code POST} and {@code DELETE /api/listeners/{name}/capture}, {@code GET /api/captures} and
 * {@code GET /api/captures/{file}}: a listener's capture switched at runtime (for its open connections and new
 * ones), and the pcap files of every capture dir in use.
 */
final class CaptureActions {

    static final Set<String> KEYS = Set.of("mode", "max-bytes", "dir", "max-file-size", "max-files");
    /** A capture file's name: {@code LISTENER-yyyyMMdd-HHmmss-NNNN.pcap}. */
    private static final Pattern FILE = Pattern.compile("(.+)-[0-9]{8}-[0-9]{6}-[0-9]{4,}\\.pcap");

    private final Forwarder forwarder;

    CaptureActions(Forwarder forwarder) {
        this.forwarder = forwarder;
    }

    /** {@code POST}: the body's keys over the listener's configured capture; nothing changes on an error. */
    AdminResponse start(String name, AdminRequest request) {
        BoundListener listener = listener(name);
        if (listener == null) {
            return AdminResponse.error(HttpResponseStatus.NOT_FOUND, "no listener " + name);
        }
        CaptureSettings settings;
        try {
            settings = settings(forwarder.config().listeners().get(name).capture(), request.body());
            if (settings.mode() == CaptureMode.PCAP) {
                Files.createDirectories(settings.dir());
            }
        } catch (IllegalArgumentException e) {
            return AdminResponse.error(HttpResponseStatus.BAD_REQUEST, e.getMessage());
        } catch (IOException e) {
            return AdminResponse.error(HttpResponseStatus.BAD_REQUEST, "dir: cannot create " + e.getMessage());
        }
        forwarder.captures().startAtRuntime(listener, settings, "admin-api@" + request.remote());
        ObjectNode body = MAPPER.createObjectNode();
        body.put("listener", name);
        describe(body.putObject("capture"), forwarder.captures(), name);
        return AdminResponse.ok(body);
    }

    /** {@code DELETE}: capture off on the listener, its open connections go back to splicing. */
    AdminResponse stop(String name, AdminRequest request) {
        BoundListener listener = listener(name);
        if (listener == null) {
            return AdminResponse.error(HttpResponseStatus.NOT_FOUND, "no listener " + name);
        }
        CaptureManager captures = forwarder.captures();
        boolean running = captures.settings(name).mode() != CaptureMode.OFF;
        captures.startAtRuntime(listener, captures.settings(name).withMode(CaptureMode.OFF),
                "admin-api@" + request.remote());
        ObjectNode body = MAPPER.createObjectNode();
        body.put("listener", name);
        body.put("stopped", running);
        describe(body.putObject("capture"), captures, name);
        return AdminResponse.ok(body);
    }

    /** The capture in force on {@code listener}, for its answer and {@code /api/listeners}. */
    static void describe(ObjectNode node, CaptureManager captures, String listener) {
        CaptureSettings settings = captures.settings(listener);
        node.put("mode", settings.mode().label());
        node.put("by", captures.origin(listener));
        if (settings.mode() != CaptureMode.OFF) {
            node.put("max_bytes", settings.maxBytes());
            if (settings.mode() == CaptureMode.PCAP) {
                node.put("dir", settings.dir().toAbsolutePath().toString());
                node.put("max_file_size", settings.maxFileSize());
                node.put("max_files", settings.maxFiles());
            }
        }
    }

    static CaptureSettings settings(CaptureSettings base, byte[] body) {
        JsonNode tree;
        try {
            tree = body.length == 0 ? MAPPER.createObjectNode() : MAPPER.readTree(body);
        } catch (IOException e) {
            throw new IllegalArgumentException("body: not JSON (expected: {\"mode\": \"pcap\", ...})");
        }
        if (tree == null || !tree.isObject()) {
            throw new IllegalArgumentException("body: not a JSON object (expected: {\"mode\": \"pcap\", ...})");
        }
        for (Iterator<String> keys = tree.fieldNames(); keys.hasNext(); ) {
            String key = keys.next();
            if (!KEYS.contains(key)) {
                throw new IllegalArgumentException(key + ": unknown key (expected one of: mode, max-bytes, dir,"
                        + " max-file-size, max-files)");
            }
        }
        CaptureMode mode = base.mode();
        JsonNode modeNode = tree.get("mode");
        if (modeNode != null) {
            String text = modeNode.asText();
            mode = switch (modeNode.isTextual() ? text : "") {
                case "pcap" -> CaptureMode.PCAP;
                case "hexdump" -> CaptureMode.HEXDUMP;
                default -> throw new IllegalArgumentException("mode: " + modeNode
                        + " (expected: \"pcap\" or \"hexdump\"; DELETE stops a capture)");
            };
        } else if (mode == CaptureMode.OFF) {
            throw new IllegalArgumentException("mode: missing, and the listener's capture is off (expected:"
                    + " \"pcap\" or \"hexdump\")");
        }
        long maxBytes = size(tree, "max-bytes", base.maxBytes());
        long maxFileSize = size(tree, "max-file-size", base.maxFileSize());
        Path dir = base.dir();
        JsonNode dirNode = tree.get("dir");
        if (dirNode != null) {
            if (!dirNode.isTextual() || dirNode.asText().isEmpty()) {
                throw new IllegalArgumentException("dir: " + dirNode + " (expected: a directory, e.g. \"captures\")");
            }
            try {
                dir = Path.of(dirNode.asText());
            } catch (InvalidPathException e) {
                throw new IllegalArgumentException("dir: " + dirNode + " (expected: a directory path)");
            }
        }
        int maxFiles = base.maxFiles();
        JsonNode filesNode = tree.get("max-files");
        if (filesNode != null) {
            if (!filesNode.canConvertToInt() || !filesNode.isIntegralNumber()) {
                throw new IllegalArgumentException("max-files: " + filesNode + " (expected: 1-"
                        + CaptureSettings.MAX_FILES + ")");
            }
            maxFiles = filesNode.asInt();
        }
        try {
            return new CaptureSettings(mode, maxBytes, dir, maxFileSize, maxFiles);
        } catch (IllegalArgumentException e) {
            // "maxBytes: 0 (expected: ...)" in the key names of the API
            throw new IllegalArgumentException(e.getMessage().replace("maxBytes", "max-bytes")
                    .replace("maxFileSize", "max-file-size").replace("maxFiles", "max-files"));
        }
    }

    /** A size: a number of bytes, or a string with a unit as in the config ({@code "64 KiB"}). */
    private static long size(JsonNode tree, String key, long fallback) {
        JsonNode node = tree.get(key);
        if (node == null) {
            return fallback;
        }
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            return node.asLong();
        }
        if (node.isTextual()) {
            try {
                return ConfigFactory.parseString("v = " + ConfigUtil.quoteString(node.asText())).getBytes("v");
            } catch (ConfigException e) {
                // fall through to the error below
            }
        }
        throw new IllegalArgumentException(key + ": " + node + " (expected: bytes, or a size such as \"64 KiB\")");
    }

    /** {@code GET /api/captures}. */
    AdminResponse list() {
        List<Path> files;
        try {
            files = forwarder.captures().files();
        } catch (IOException e) {
            return AdminResponse.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "cannot list captures: " + e);
        }
        ArrayNode list = MAPPER.createArrayNode();
        for (Path file : files) {
            try {
                ObjectNode node = MAPPER.createObjectNode();
                String name = file.getFileName().toString();
                Matcher matcher = FILE.matcher(name);
                node.put("name", name);
                node.put("listener", matcher.matches() ? matcher.group(1) : null);
                node.put("size", Files.size(file));
                node.put("modified", Files.getLastModifiedTime(file).toInstant().toString());
                node.put("dir", file.toAbsolutePath().getParent().toString());
                list.add(node);
            } catch (IOException goneMeanwhile) {
                // rotated away between the listing and now
            }
        }
        ObjectNode body = MAPPER.createObjectNode();
        body.set("captures", list);
        return AdminResponse.ok(body);
    }

    /**
     * {@code GET /api/captures/{file}}: only a file {@link #list()} shows, by its bare name, so no request reaches a
     * path outside the capture dirs: a name with a slash, a backslash, {@code ..} or a leading dot is 400.
     */
    AdminResponse download(String name) {
        if (name.isEmpty() || name.contains("/") || name.contains("\\") || name.contains("..")
                || name.startsWith(".") || name.indexOf('\0') >= 0 || !FILE.matcher(name).matches()) {
            return AdminResponse.error(HttpResponseStatus.BAD_REQUEST, "file: " + name
                    + " (expected: a name from GET /api/captures, e.g. web-20261202-010203-0001.pcap)");
        }
        try {
            for (Path file : forwarder.captures().files()) {
                if (file.getFileName().toString().equals(name)) {
                    return AdminResponse.stream(new FileDownload(new RandomAccessFile(file.toFile(), "r"), name,
                            TapResponse.PCAP));
                }
            }
        } catch (IOException e) {
            return AdminResponse.error(HttpResponseStatus.NOT_FOUND, "no capture file " + name + ": " + e.getMessage());
        }
        return AdminResponse.error(HttpResponseStatus.NOT_FOUND, "no capture file " + name);
    }

    private BoundListener listener(String name) {
        if (!forwarder.config().listeners().containsKey(name)) {
            return null;
        }
        try {
            return forwarder.listener(name);
        } catch (IllegalArgumentException removedMeanwhile) {
            return null;
        }
    }
}
