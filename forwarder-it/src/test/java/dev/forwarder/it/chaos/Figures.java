package dev.forwarder.it.chaos;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A chaos test's figures: {@code key=value} lines in {@code target/chaos-NAME.txt} (the file is written anew by
 * each run, with every figure put so far, so a failed assertion still leaves what was measured) and one summary
 * line on the test log.
 */
final class Figures {

    private static final Logger log = LoggerFactory.getLogger(Figures.class);

    private final String name;
    private final Map<String, String> values = new LinkedHashMap<>();

    Figures(String name) {
        this.name = name;
        put("variant", Chaos.LONG ? "long" : "ci");
    }

    synchronized Figures put(String key, Object value) {
        values.put(key, String.valueOf(value));
        write();
        return this;
    }

    synchronized String get(String key) {
        return values.get(key);
    }

    /** Writes the file and logs the one-line summary. */
    synchronized void done() {
        write();
        log.info("chaos {} {}", name, line());
    }

    private String line() {
        return values.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" "));
    }

    private void write() {
        Path file = Path.of("target", "chaos-" + name + ".txt");
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, values.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue() + "\n")
                    .collect(Collectors.joining()), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Milliseconds with one decimal, for figures. */
    static String ms(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.1f", nanos / 1e6);
    }
}
