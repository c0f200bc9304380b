package dev.forwarder.app.config;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigOrigin;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A required include that found nothing, as a one-line {@link ConfigError} at the include's line. Typesafe Config
 * reports only the included name and a Java exception ({@code missing.conf: java.io.IOException: resource not
 * found on classpath: missing.conf}), without the including line, so the statement is looked up again in the
 * loaded text.
 */
final class MissingInclude {

    /** {@code include required("x")}, or with {@code file(...)}, {@code classpath(...)} or {@code url(...)}. */
    private static final Pattern REQUIRED = Pattern.compile("include\\s+required\\s*\\(\\s*"
            + "(?:(file|classpath|url)\\s*\\(\\s*)?\"((?:[^\"\\\\]|\\\\.)*)\"\\s*\\)?\\s*\\)");
    /** The operating system's reason at the end of a {@code FileNotFoundException}, e.g. {@code (Is a directory)}. */
    private static final Pattern REASON = Pattern.compile("\\(([^()]+)\\)$");
    private static final String NOT_FOUND = "No such file or directory";

    /** One {@code include required(...)} of the text: its line, as written, its kind (null: plain) and name. */
    private record Statement(int line, String text, String kind, String name) {
    }

    private MissingInclude() {
    }

    /** Whether {@code e} is an included file or resource that could not be read (it has no line of its own). */
    static boolean matches(ConfigException e, String source) {
        ConfigOrigin origin = e.origin();
        return e instanceof ConfigException.IO && origin != null && origin.lineNumber() < 0
                && !source.equals(origin.filename());
    }

    /**
     * @param source the loaded file, named in the error
     * @param lines its text; the include is looked for here, and where it is not (it is in a file this one
     *     includes) the error names no line
     */
    static ConfigError of(ConfigException e, String source, List<String> lines) {
        // Typesafe names a missing include as written, one that exists but cannot be read by its resolved path.
        String failed = e.origin().description();
        List<Statement> includes = requiredIncludes(lines);
        Statement include = first(includes, s -> s.name().equals(failed));
        if (include == null) {
            include = first(includes, s -> lastSegment(s.name()).equals(lastSegment(failed)));
        }
        if (include == null) {
            return new ConfigError(source, -1, null, "include required(\"" + failed + "\") in a file it includes: "
                    + problem(null, e));
        }
        return new ConfigError(source, include.line(), null, include.text() + ": " + problem(include.kind(), e));
    }

    private static List<Statement> requiredIncludes(List<String> lines) {
        List<Statement> found = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher include = REQUIRED.matcher(line);
            while (include.find()) {
                String before = line.substring(0, include.start());
                if (!before.contains("#") && !before.contains("//")) {
                    found.add(new Statement(i + 1, include.group(), include.group(1), include.group(2)));
                }
            }
        }
        return found;
    }

    private static Statement first(List<Statement> includes, Predicate<Statement> test) {
        return includes.stream().filter(test).findFirst().orElse(null);
    }

    private static String lastSegment(String name) {
        return name.substring(name.lastIndexOf('/') + 1);
    }

    private static String problem(String kind, ConfigException e) {
        if ("classpath".equals(kind)) {
            return "not on the class path";
        }
        String reason = rootMessage(e);
        // A file that exists but cannot be read (a directory, no permission) fails with the same exception.
        Matcher os = REASON.matcher(reason);
        if (os.find()) {
            return os.group(1).equals(NOT_FOUND) ? "no such file" : "cannot read the file (" + os.group(1) + ")";
        }
        return "url".equals(kind) ? "cannot be read (" + reason + ")" : "no such file";
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return String.valueOf(root.getMessage());
    }
}
