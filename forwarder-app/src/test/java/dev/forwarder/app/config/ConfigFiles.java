package dev.forwarder.app.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Writes test configs to files and finds lines in them, so tests can assert on file:line. */
final class ConfigFiles {

    private ConfigFiles() {
    }

    static Path write(Path dir, String name, String text) {
        try {
            return Files.writeString(dir.resolve(name), text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The 1-based number of the only line of {@code text} that contains {@code marker}. */
    static int lineOf(String text, String marker) {
        List<String> lines = text.lines().toList();
        int found = -1;
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).contains(marker)) {
                if (found >= 0) {
                    throw new IllegalArgumentException("marker on two lines: " + marker);
                }
                found = i + 1;
            }
        }
        if (found < 0) {
            throw new IllegalArgumentException("no line contains: " + marker);
        }
        return found;
    }

    /** The contract's example, with {@code extra} lines inside the web pool and web listener as asked. */
    static String example(String listenerExtra, String poolExtra) {
        return """
                forwarder {
                  listeners {
                    web { bind = "127.0.0.1:8080", pool = web%s }
                  }
                  pools {
                    web {
                      strategy = round-robin
                      backends = [ "127.0.0.1:9001", { address = "127.0.0.1:9002", weight = 2 } ]%s
                    }
                  }
                }
                """.formatted(listenerExtra, poolExtra);
    }
}
