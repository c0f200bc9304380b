package dev.forwarder.app.config;

import com.typesafe.config.ConfigOrigin;

import java.util.regex.Pattern;

/**
 * A configuration that cannot be used, found before any socket opens. The message reads
 * {@code FILE:LINE: KEY: problem}, e.g. {@code fwd.conf:7: forwarder.pools.web.strategy: "x" is not a strategy};
 * the line is left out when unknown, the key for problems of the whole file (syntax, missing file).
 */
public final class ConfigError extends RuntimeException {

    private static final long serialVersionUID = 1L;
    private static final Pattern LINE_SUFFIX = Pattern.compile(": [0-9]+(-[0-9]+)?$");

    private final String file;
    private final int line;
    private final String key;
    private final String problem;

    /**
     * @param file the file (or origin name) the problem is in
     * @param line its 1-based line, or -1 when unknown
     * @param key the full key, e.g. {@code forwarder.listeners.web.bind}, or {@code null}
     * @param problem what is wrong, e.g. {@code -1s is negative (expected: >= 0)}
     */
    public ConfigError(String file, int line, String key, String problem) {
        super(format(file, line, key, problem));
        this.file = file;
        this.line = line;
        this.key = key;
        this.problem = problem;
    }

    /** An error at {@code origin}, the place a value or object was read from. */
    static ConfigError at(ConfigOrigin origin, String key, String problem) {
        return new ConfigError(source(origin), origin.lineNumber(), key, problem);
    }

    /** The file (or resource, or origin description) behind {@code origin}, without its line number. */
    static String source(ConfigOrigin origin) {
        if (origin.filename() != null) {
            return origin.filename();
        }
        if (origin.resource() != null) {
            return origin.resource();
        }
        if (origin.url() != null) {
            return origin.url().toString();
        }
        return LINE_SUFFIX.matcher(origin.description()).replaceFirst("");
    }

    private static String format(String file, int line, String key, String problem) {
        StringBuilder message = new StringBuilder(file);
        if (line > 0) {
            message.append(':').append(line);
        }
        message.append(": ");
        if (key != null) {
            message.append(key).append(": ");
        }
        return message.append(problem).toString();
    }

    public String file() {
        return file;
    }

    /** The 1-based line, or -1 when unknown. */
    public int line() {
        return line;
    }

    /** The full key, or {@code null} for a problem of the whole file. */
    public String key() {
        return key;
    }

    public String problem() {
        return problem;
    }
}
