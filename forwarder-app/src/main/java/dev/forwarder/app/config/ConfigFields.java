package dev.forwarder.app.config;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigList;
import com.typesafe.config.ConfigObject;
import com.typesafe.config.ConfigRenderOptions;
import com.typesafe.config.ConfigUtil;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueFactory;
import com.typesafe.config.ConfigValueType;

import java.time.Duration;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * Typed reads from one HOCON object, optionally falling back to a defaults object, where every failure becomes a
 * {@link ConfigError} at the line the value came from and under the full key it was found at.
 */
final class ConfigFields {

    private static final ConfigRenderOptions CONCISE = ConfigRenderOptions.concise();

    private final ConfigObject own;
    private final String ownPath;
    private final ConfigObject fallback;
    private final String fallbackPath;

    ConfigFields(ConfigObject own, String ownPath) {
        this(own, ownPath, ConfigValueFactory.fromMap(Map.of()), ownPath);
    }

    /**
     * @param own the object read first
     * @param ownPath its full key, e.g. {@code forwarder.listeners.web}
     * @param fallback where keys missing from {@code own} are looked up, e.g. {@code forwarder.listener-defaults}
     * @param fallbackPath the fallback's full key
     */
    ConfigFields(ConfigObject own, String ownPath, ConfigObject fallback, String fallbackPath) {
        this.own = own;
        this.ownPath = ownPath;
        this.fallback = fallback;
        this.fallbackPath = fallbackPath;
    }

    /** The full key of {@code key} in the object it is read from (its own, or the fallback when absent there). */
    String pathOf(String key) {
        String base = own.containsKey(key) || !fallback.containsKey(key) ? ownPath : fallbackPath;
        return join(base, key);
    }

    static String join(String base, String key) {
        return base + "." + ConfigUtil.joinPath(key);
    }

    boolean has(String key) {
        return own.containsKey(key) || fallback.containsKey(key);
    }

    /** The value of {@code key}; a missing key is an error that says what was {@code expected}. */
    ConfigValue value(String key, String expected) {
        ConfigValue value = own.containsKey(key) ? own.get(key) : fallback.get(key);
        if (value == null || value.valueType() == ConfigValueType.NULL) {
            throw ConfigError.at(own.origin(), join(ownPath, key), "missing (expected: " + expected + ")");
        }
        return value;
    }

    ConfigError error(String key, String problem) {
        ConfigValue value = own.containsKey(key) ? own.get(key) : fallback.get(key);
        return ConfigError.at(value == null ? own.origin() : value.origin(), pathOf(key), problem);
    }

    /**
     * An error about {@code key} that lies in this object itself (a combination of its keys), named by this
     * object's key even when the value came from the fallback: e.g. a pool whose {@code type = send-expect} lacks
     * the {@code send} that pool-defaults leaves empty.
     */
    ConfigError ownError(String key, String problem) {
        ConfigValue value = own.get(key);
        return ConfigError.at(value == null ? own.origin() : value.origin(), join(ownPath, key), problem);
    }

    String string(String key, String expected) {
        ConfigValue value = value(key, expected);
        if (value.valueType() != ConfigValueType.STRING) {
            throw error(key, render(value) + " is not a string (expected: " + expected + ")");
        }
        return (String) value.unwrapped();
    }

    boolean bool(String key) {
        ConfigValue value = value(key, "true or false");
        try {
            return value.atKey("v").getBoolean("v");
        } catch (ConfigException e) {
            throw error(key, render(value) + " is not a boolean (expected: true or false)");
        }
    }

    int intIn(String key, int min, int max) {
        String range = min + "-" + max;
        ConfigValue value = value(key, "a whole number " + range);
        int result;
        try {
            result = value.atKey("v").getInt("v");
        } catch (ConfigException e) {
            throw error(key, render(value) + " is not a whole number (expected: " + range + ")");
        }
        if (result < min || result > max) {
            throw error(key, render(value) + " is out of range (expected: " + range + ")");
        }
        return result;
    }

    /** A size such as {@code 64 KiB} or a plain number of bytes. */
    int bytesIn(String key, int min, int max) {
        String range = min + "-" + max + " bytes";
        ConfigValue value = value(key, "a size, e.g. 64 KiB");
        long result;
        try {
            result = value.atKey("v").getBytes("v");
        } catch (ConfigException e) {
            throw error(key, render(value) + " is not a size (expected: e.g. 64 KiB, 1 MiB or a number of bytes)");
        }
        if (result < min || result > max) {
            throw error(key, render(value) + " is out of range (expected: " + range + ")");
        }
        return (int) result;
    }

    /** A size such as {@code 64 MiB} or a plain number of bytes, up to {@code max} (beyond an int). */
    long sizeIn(String key, long min, long max) {
        String range = ConfigPrinter.size(min) + " - " + ConfigPrinter.size(max);
        ConfigValue value = value(key, "a size, e.g. 1 MiB");
        long result;
        try {
            result = value.atKey("v").getBytes("v");
        } catch (ConfigException e) {
            throw error(key, render(value) + " is not a size (expected: e.g. 64 KiB, 1 MiB or a number of bytes)");
        }
        if (result < min || result > max) {
            throw error(key, render(value) + " is out of range (expected: " + range + ")");
        }
        return result;
    }

    /** A duration with its unit ({@code 3s}, {@code 500ms}); {@code positive} rejects zero. */
    Duration duration(String key, boolean positive) {
        String expected = positive ? "> 0" : ">= 0";
        ConfigValue value = value(key, "a duration, e.g. 3s");
        if (value.valueType() != ConfigValueType.STRING) {
            throw error(key, render(value) + " has no unit (expected: a duration " + expected + ", e.g. 3s, 500ms)");
        }
        Duration result;
        try {
            result = value.atKey("v").getDuration("v");
        } catch (ConfigException e) {
            throw error(key, render(value) + " is not a duration (expected: e.g. 3s, 500ms, 10m)");
        }
        if (result.isNegative()) {
            throw error(key, render(value) + " is negative (expected: " + expected + ")");
        }
        if (positive && result.isZero()) {
            throw error(key, render(value) + " is zero (expected: " + expected + ")");
        }
        return result;
    }

    /** A nested object; absent means empty. */
    ConfigObject objectOrEmpty(String key) {
        if (!has(key)) {
            return ConfigValueFactory.fromMap(Map.of());
        }
        ConfigValue value = value(key, "an object");
        if (value.valueType() != ConfigValueType.OBJECT) {
            throw error(key, render(value) + " is not an object (expected: { ... })");
        }
        return (ConfigObject) value;
    }

    /**
     * The fields of the nested object {@code key}, each falling back to the same key in the fallback's nested
     * object: a pool's {@code health-check { type = tcp }} keeps every other key from {@code pool-defaults}.
     */
    ConfigFields nested(String key) {
        return new ConfigFields(child(own, ownPath, key), join(ownPath, key), child(fallback, fallbackPath, key),
                join(fallbackPath, key));
    }

    private static ConfigObject child(ConfigObject parent, String parentPath, String key) {
        ConfigValue value = parent.get(key);
        if (value == null || value.valueType() == ConfigValueType.NULL) {
            return ConfigValueFactory.fromMap(Map.of());
        }
        if (value.valueType() != ConfigValueType.OBJECT) {
            throw ConfigError.at(value.origin(), join(parentPath, key),
                    render(value) + " is not an object (expected: { ... })");
        }
        return (ConfigObject) value;
    }

    /** One of {@code choices}, by its config name. */
    <E> E choice(String key, Map<String, E> choices) {
        String expected = String.join(", ", choices.keySet());
        String name = string(key, "one of " + expected);
        E choice = choices.get(name);
        if (choice == null) {
            throw error(key, "\"" + name + "\" is not one of: " + expected);
        }
        return choice;
    }

    /** A percentage written with its sign, {@code 10%}, from 0 to {@code max}. */
    int percentIn(String key, int max) {
        String range = "0%-" + max + "%";
        ConfigValue value = value(key, "a percentage " + range);
        String text = value.valueType() == ConfigValueType.STRING ? (String) value.unwrapped() : render(value);
        if (!text.matches("[0-9]{1,3}%")) {
            throw error(key, render(value) + " is not a percentage (expected: " + range + ", e.g. 10%)");
        }
        int percent = Integer.parseInt(text.substring(0, text.length() - 1));
        if (percent > max) {
            throw error(key, render(value) + " is out of range (expected: " + range + ")");
        }
        return percent;
    }

    ConfigList list(String key, String expected) {
        ConfigValue value = value(key, expected);
        if (value.valueType() != ConfigValueType.LIST) {
            throw error(key, render(value) + " is not a list (expected: " + expected + ")");
        }
        return (ConfigList) value;
    }

    /** Fails on the first key (by line) of the object itself that {@code allowed} does not hold. */
    void checkKeys(Collection<String> allowed) {
        own.keySet().stream()
                .filter(key -> !allowed.contains(key))
                .min(Comparator.comparingInt((String key) -> own.get(key).origin().lineNumber()))
                .ifPresent(key -> {
                    String hint = closest(key, allowed);
                    throw ConfigError.at(own.get(key).origin(), join(ownPath, key), "unknown key"
                            + (hint == null ? "" : ", did you mean " + hint + "?")
                            + " (expected one of: " + String.join(", ", allowed) + ")");
                });
    }

    static String render(ConfigValue value) {
        return value.render(CONCISE);
    }

    /** The allowed key within two edits of {@code key}, if any: most typos are one or two keystrokes. */
    private static String closest(String key, Collection<String> allowed) {
        String best = null;
        int bestDistance = 3;
        for (String candidate : allowed) {
            int distance = editDistance(key, candidate);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return best;
    }

    private static int editDistance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }

    /** The keys of an object in the order they appear in the file, for readable iteration and first errors. */
    static List<String> keysByLine(ConfigObject object) {
        return object.keySet().stream()
                .sorted(Comparator.comparingInt((String key) -> object.get(key).origin().lineNumber())
                        .thenComparing(Comparator.naturalOrder()))
                .toList();
    }
}
