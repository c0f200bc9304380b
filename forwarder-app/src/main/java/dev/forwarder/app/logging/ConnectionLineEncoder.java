package dev.forwarder.app.logging;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.encoder.EncoderBase;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;

/**
 * Writes each event exactly as the pattern {@code %d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger{0} -
 * %msg%n} does, for the connection log's one line per connection: into a byte buffer the calling thread keeps, with
 * the date prefix computed once per second, so a line costs one array of its own length instead of the pattern
 * layout's builder, string and encoding copies. Throwables are not written (the connection log logs none; use a
 * pattern encoder for a logger that does). ASCII is copied as is, anything else encoded as UTF-8.
 */
public final class ConnectionLineEncoder extends EncoderBase<ILoggingEvent> {

    private static final byte[] NO_BYTES = new byte[0];
    private static final byte[] LINE_END = System.lineSeparator().getBytes(StandardCharsets.US_ASCII);
    private static final DateTimeFormatter SECOND = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.");

    private final ZoneId zone = ZoneId.systemDefault();
    private final ThreadLocal<Line> lines = ThreadLocal.withInitial(Line::new);

    @Override
    public byte[] headerBytes() {
        return NO_BYTES;
    }

    @Override
    public byte[] footerBytes() {
        return NO_BYTES;
    }

    @Override
    public byte[] encode(ILoggingEvent event) {
        Line line = lines.get();
        line.length = 0;
        if (line.bytes.length > 8192) {
            line.bytes = new byte[512];
        }
        long millis = event.getTimeStamp();
        long second = Math.floorDiv(millis, 1000);
        if (second != line.second) {
            line.second = second;
            line.secondPrefix = SECOND.format(Instant.ofEpochSecond(second).atZone(zone))
                    .getBytes(StandardCharsets.US_ASCII);
        }
        line.put(line.secondPrefix);
        int ms = (int) Math.floorMod(millis, 1000);
        line.put((byte) ('0' + ms / 100)).put((byte) ('0' + ms / 10 % 10)).put((byte) ('0' + ms % 10)).put((byte) ' ');
        String level = event.getLevel().toString();
        line.put(level);
        for (int pad = level.length(); pad < 5; pad++) {
            line.put((byte) ' ');
        }
        line.put((byte) ' ').put((byte) '[').put(event.getThreadName()).put((byte) ']').put((byte) ' ');
        String logger = event.getLoggerName();
        line.put(logger, logger.lastIndexOf('.') + 1).put((byte) ' ').put((byte) '-').put((byte) ' ');
        line.put(event.getFormattedMessage());
        line.put(LINE_END);
        return Arrays.copyOf(line.bytes, line.length);
    }

    /** One thread's line under construction; grows as needed, shrinks back after a very long line. */
    private static final class Line {
        byte[] bytes = new byte[512];
        int length;
        long second = Long.MIN_VALUE;
        byte[] secondPrefix;

        Line put(byte b) {
            if (length == bytes.length) {
                bytes = Arrays.copyOf(bytes, bytes.length * 2);
            }
            bytes[length++] = b;
            return this;
        }

        Line put(byte[] more) {
            if (length + more.length > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, length + more.length));
            }
            System.arraycopy(more, 0, bytes, length, more.length);
            length += more.length;
            return this;
        }

        Line put(String text) {
            return put(text, 0);
        }

        Line put(String text, int from) {
            if (text == null) {
                return put("null");
            }
            for (int i = from, n = text.length(); i < n; i++) {
                char c = text.charAt(i);
                if (c < 0x80) {
                    put((byte) c);
                } else {
                    // The rest through the JDK's UTF-8 encoder (surrogate pairs included); rare in these lines.
                    put(text.substring(i).getBytes(StandardCharsets.UTF_8));
                    break;
                }
            }
            return this;
        }
    }
}
