package dev.forwarder.app.loadtest;

import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The command line's units, written the way the config file writes them: durations with a unit ({@code 500ms},
 * {@code 10s}, {@code 2m}), sizes in bytes or binary units ({@code 100B}, {@code 1KiB}, {@code 64 KiB}), and
 * addresses as {@code host:port} or {@code [v6]:port}.
 */
public final class Quantities {

    private static final Pattern DURATION = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(ns|us|ms|s|m|h)");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(b|kib|mib|gib)?");

    private Quantities() {
    }

    /** {@code 10s}, {@code 500ms}, {@code 1.5s}; a bare number is an error, as in the config file. */
    public static Duration duration(String text) {
        Matcher m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("\"" + text + "\" is not a duration (expected: a number and a unit"
                    + " of ns, us, ms, s, m, h, e.g. 10s or 500ms)");
        }
        double nanosPerUnit = switch (m.group(2)) {
            case "ns" -> 1;
            case "us" -> 1e3;
            case "ms" -> 1e6;
            case "s" -> 1e9;
            case "m" -> 60e9;
            default -> 3600e9;
        };
        return Duration.ofNanos(Math.round(Double.parseDouble(m.group(1)) * nanosPerUnit));
    }

    /** {@code 100}, {@code 100B}, {@code 1KiB}, {@code 64 KiB}, {@code 1MiB}, in bytes. */
    public static int size(String text) {
        Matcher m = SIZE.matcher(text.trim().toLowerCase(Locale.ROOT));
        if (!m.matches()) {
            throw new IllegalArgumentException("\"" + text + "\" is not a size (expected: bytes, or a number with"
                    + " B, KiB, MiB or GiB, e.g. 100B or 1KiB)");
        }
        long unit = m.group(2) == null ? 1 : switch (m.group(2)) {
            case "kib" -> 1L << 10;
            case "mib" -> 1L << 20;
            case "gib" -> 1L << 30;
            default -> 1;
        };
        long bytes = Long.parseLong(m.group(1)) * unit;
        if (bytes > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("\"" + text + "\" is too large (expected: < 2 GiB)");
        }
        return (int) bytes;
    }

    /** {@code host:port} or {@code [::1]:port}, unresolved. */
    public static InetSocketAddress address(String text) {
        int colon = text.lastIndexOf(':');
        String host = colon < 0 ? "" : text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            port = -1;
        }
        if (host.isEmpty() || port < 0 || port > 65535) {
            throw new IllegalArgumentException("\"" + text + "\" is not an address (expected: host:port, e.g."
                    + " 127.0.0.1:7000)");
        }
        return InetSocketAddress.createUnresolved(host, port);
    }

    /** Picocli's converter for {@link #duration}. */
    static final class DurationConverter implements ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            try {
                return duration(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** Picocli's converter for {@link #size}. */
    static final class SizeConverter implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String value) {
            try {
                return size(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }

    /** Picocli's converter for {@link #address}. */
    static final class AddressConverter implements ITypeConverter<InetSocketAddress> {
        @Override
        public InetSocketAddress convert(String value) {
            try {
                return address(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
