package dev.forwarder.app.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigOrigin;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Reads a HOCON file over the defaults in {@code reference.conf} and validates it into a {@link ForwarderConfig}.
 * The only place in forwarder that parses HOCON; everything after it works on records.
 */
public final class ConfigLoader {

    private static final String ROOT = "forwarder";

    private ConfigLoader() {
    }

    /**
     * Loads and validates {@code file}.
     *
     * @throws ConfigError when the file is missing or unreadable, is not valid HOCON, or holds a bad value
     */
    public static ForwarderConfig load(Path file) {
        String name = file.toString();
        if (!Files.isRegularFile(file)) {
            throw new ConfigError(name, -1, null,
                    Files.exists(file) ? "not a regular file" : "no such file (expected: a HOCON config file)");
        }
        if (!Files.isReadable(file)) {
            throw new ConfigError(name, -1, null, "cannot read the file (permission denied)");
        }
        // Absolute: HOCON resolves include "x.conf" against the file's parent, and a bare "fwd.conf" has none (its
        // includes found nothing). Errors from here on name the file as HOCON's origins do, by its absolute path.
        Path absolute = file.toAbsolutePath();
        String absoluteName = absolute.toString();
        Config parsed;
        try {
            parsed = ConfigFactory.parseFile(absolute.toFile(),
                    ConfigParseOptions.defaults().setAllowMissing(false).setSyntax(ConfigSyntax.CONF));
        } catch (ConfigException e) {
            throw MissingInclude.matches(e, absoluteName) ? MissingInclude.of(e, absoluteName, lines(absolute))
                    : fromHocon(e, absoluteName);
        }
        return validate(parsed, absoluteName);
    }

    /**
     * Parses and validates HOCON text; {@code originName} stands for the file in error messages.
     *
     * @throws ConfigError when the text is not valid HOCON or holds a bad value
     */
    public static ForwarderConfig parse(String hocon, String originName) {
        Config parsed;
        try {
            parsed = ConfigFactory.parseString(hocon, ConfigParseOptions.defaults()
                    .setOriginDescription(originName).setSyntax(ConfigSyntax.CONF));
        } catch (ConfigException e) {
            throw MissingInclude.matches(e, originName) ? MissingInclude.of(e, originName, hocon.lines().toList())
                    : fromHocon(e, originName);
        }
        return validate(parsed, originName);
    }

    private static ForwarderConfig validate(Config user, String source) {
        for (String key : ConfigFields.keysByLine(user.root())) {
            if (!key.equals(ROOT)) {
                throw ConfigError.at(user.root().get(key).origin(), key,
                        "unknown key (expected: everything inside one forwarder { ... } block)");
            }
        }
        Config merged;
        try {
            merged = user.withFallback(reference()).resolve();
        } catch (ConfigException e) {
            throw fromHocon(e, source);
        }
        ConfigValue forwarder = merged.root().get(ROOT);
        if (forwarder.valueType() != ConfigValueType.OBJECT) {
            throw ConfigError.at(forwarder.origin(), ROOT,
                    ConfigFields.render(forwarder) + " is not an object (expected: forwarder { ... })");
        }
        return new SettingsReader(source).read(merged.getObject(ROOT));
    }

    /** The file's lines, or none when it cannot be read again: the error then names no line. */
    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException | UncheckedIOException e) {
            return List.of();
        }
    }

    /** Every {@code reference.conf} on the class path, merged: forwarder's own holds the defaults. */
    private static Config reference() {
        return ReferenceHolder.REFERENCE;
    }

    private static ConfigError fromHocon(ConfigException e, String source) {
        ConfigOrigin origin = e.origin();
        String message = e.getMessage();
        if (origin == null) {
            return new ConfigError(source, -1, null, message);
        }
        String prefix = origin.description() + ": ";
        String problem = message.startsWith(prefix) ? message.substring(prefix.length()) : message;
        return ConfigError.at(origin, null, problem);
    }

    /** Parsed once, on first use. */
    private static final class ReferenceHolder {
        static final Config REFERENCE = ConfigFactory.parseResources(ConfigLoader.class.getClassLoader(),
                "reference.conf");
    }
}
