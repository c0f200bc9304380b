package dev.forwarder.app.capture;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A protocol summary from the first bytes of one direction: the HTTP/1.x request line and Host, or the response's
 * status line; a TLS ClientHello's SNI and ALPN; the first Redis (RESP) command; a PostgreSQL startup message (user,
 * database) or SSL request; for HTTP/2 (and gRPC) the first request and its answer ({@link Http2Sniffer}). Fed
 * chunk by chunk from offset 0 by one thread at a time (a capture's writer thread, or the event loop for
 * {@code capture.summary}); says its summary once (or nothing, for bytes it does not recognise). Never throws on
 * bad input: a parse that fails is no summary.
 */
final class Sniffer {

    /** How much of the start of a stream is kept to find a summary: a TLS record fits, so do most HTTP heads. */
    static final int LIMIT = 16 * 1024 + 5;

    private static final Pattern REQUEST_LINE =
            Pattern.compile("[A-Z]{3,10} \\S+ HTTP/1\\.[01]");
    private static final Pattern STATUS_LINE = Pattern.compile("HTTP/1\\.[01] [0-9]{3}( .*)?");

    private final boolean upstream;
    private final ByteArrayOutputStream seen = new ByteArrayOutputStream(256);
    private boolean done;
    // The other direction of the same connection, or null.
    private Sniffer peer;
    // Set once the stream turned out to be HTTP/2: the bytes go to it from then on.
    private Http2Sniffer http2;

    Sniffer(boolean upstream) {
        this.upstream = upstream;
    }

    boolean done() {
        return done;
    }

    /**
     * Two sniffers for the directions of one connection: the server's side of an HTTP/2 connection follows the
     * stream of the client's first request.
     */
    static Sniffer[] pair() {
        Sniffer up = new Sniffer(true);
        Sniffer down = new Sniffer(false);
        up.peer = down;
        down.peer = up;
        return new Sniffer[] {up, down};
    }

    /**
     * Adds the next bytes of the stream.
     *
     * @return the summary once it is known (at most once), or {@code null}
     */
    String feed(byte[] data, int length) {
        if (done) {
            return null;
        }
        if (http2 != null) {
            return http2(http2.feed(data, 0, length));
        }
        int room = LIMIT - seen.size();
        seen.write(data, 0, Math.min(length, room));
        byte[] b = seen.toByteArray();
        int http2Start = http2Start(b);
        if (http2Start == NEED_MORE) {
            return null;
        }
        if (http2Start >= 0) {
            http2 = new Http2Sniffer(upstream, peer);
            seen.reset();
            String summary = http2.feed(b, http2Start, b.length - http2Start);
            if (summary == null && length > room) {
                summary = http2.feed(data, room, length - room);
            }
            return http2(summary);
        }
        String summary = summarize(b, seen.size() >= LIMIT);
        if (summary != null) {
            done = true;
            return summary.isEmpty() ? null : summary;
        }
        return null;
    }

    /** The HTTP/2 side of this sniffer, or {@code null}. */
    Http2Sniffer http2() {
        return http2;
    }

    private String http2(String summary) {
        if (http2.done()) {
            done = true;
        }
        return summary;
    }

    private static final int NEED_MORE = -2;
    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /**
     * Where HTTP/2 frames start in {@code b}: after the client's preface (up), at the server's first SETTINGS frame
     * (down); {@link #NEED_MORE} while it cannot tell yet, -1 for another protocol.
     */
    private int http2Start(byte[] b) {
        if (upstream) {
            for (int i = 0; i < PREFACE.length; i++) {
                if (i == b.length) {
                    return i == 0 ? -1 : NEED_MORE;
                }
                if (b[i] != PREFACE[i]) {
                    return -1;
                }
            }
            return PREFACE.length;
        }
        if (b.length == 0 || b[0] != 0) {
            return -1;
        }
        if (b.length < 9) {
            return NEED_MORE;
        }
        int length = (b[1] & 0xff) << 8 | b[2] & 0xff;
        boolean settings = b[3] == 4 && (b[4] == 0 || b[4] == 1) && int32(b, 5) == 0 && length % 6 == 0;
        return settings ? 0 : -1;
    }

    /** The stream ended or stops being captured: whatever can be said from what was seen. */
    String finish() {
        if (done) {
            return null;
        }
        if (http2 != null) {
            done = true;
            String summary = http2.finish();
            return summary != null ? summary : upstream ? "http2 preface" : null;
        }
        if (seen.size() == 0) {
            done = true;
            return null;
        }
        done = true;
        String summary = summarize(seen.toByteArray(), true);
        return summary == null || summary.isEmpty() ? null : summary;
    }

    /** The summary, {@code ""} for "nothing to say", {@code null} for "need more bytes" (unless {@code last}). */
    String summarize(byte[] b, boolean last) {
        try {
            return upstream ? client(b, last) : server(b, last);
        } catch (RuntimeException malformed) {
            return "";
        }
    }

    private static String client(byte[] b, boolean last) {
        int n = b.length;
        if (n == 0) {
            return last ? "" : null;
        }
        int first = b[0] & 0xff;
        if (first == 0x16) {
            return Tls.clientHello(b, last);
        }
        if (first == '*') {
            return redis(b, last);
        }
        if (n >= 8 && first == 0 && (b[1] & 0xff) < 0x10) {
            return postgres(b, last);
        }
        if (first >= 'A' && first <= 'Z') {
            return httpRequest(b, last);
        }
        return last || n >= 8 ? "" : null;
    }

    private static String server(byte[] b, boolean last) {
        if (b.length >= 5 && b[0] == 'H' && b[1] == 'T' && b[2] == 'T' && b[3] == 'P') {
            int end = lineEnd(b, 0);
            if (end < 0) {
                return last ? "" : null;
            }
            String line = ascii(b, 0, end);
            return STATUS_LINE.matcher(line).matches() ? "http response status=" + line.substring(9, 12)
                    + " line=\"" + line + "\"" : "";
        }
        if (b.length >= 1 && (b[0] == '+' || b[0] == '-' || b[0] == ':' || b[0] == '$')) {
            int end = lineEnd(b, 0);
            if (end < 0) {
                return last ? "" : null;
            }
            String line = ascii(b, 0, Math.min(end, 80));
            return b[0] == '-' ? "redis reply error=\"" + line.substring(1) + "\"" : "redis reply=\"" + line + "\"";
        }
        if (b.length >= 1 && b[0] == 0x16) {
            return Tls.serverHello(b, last);
        }
        return b.length >= 5 || last ? "" : null;
    }

    private static String httpRequest(byte[] b, boolean last) {
        int end = lineEnd(b, 0);
        if (end < 0) {
            return last ? "" : null;
        }
        String line = ascii(b, 0, end);
        if (!REQUEST_LINE.matcher(line).matches()) {
            return "";
        }
        String host = null;
        int at = end + 2;
        boolean complete = false;
        while (at < b.length) {
            int next = lineEnd(b, at);
            if (next < 0) {
                break;
            }
            if (next == at) {
                complete = true;
                break;
            }
            String header = ascii(b, at, next);
            if (header.regionMatches(true, 0, "host:", 0, 5)) {
                host = header.substring(5).trim();
                complete = true;
                break;
            }
            at = next + 2;
        }
        if (!complete && !last) {
            return null;
        }
        return "http request=\"" + line + "\"" + (host == null ? "" : " host=" + host);
    }

    private static String redis(byte[] b, boolean last) {
        // *<count>\r\n$<len>\r\n<name>\r\n
        int end = lineEnd(b, 0);
        if (end < 0) {
            return last ? "" : null;
        }
        int count = Integer.parseInt(ascii(b, 1, end));
        int lenEnd = lineEnd(b, end + 2);
        if (lenEnd < 0) {
            return last ? "" : null;
        }
        if (b[end + 2] != '$') {
            return "";
        }
        int len = Integer.parseInt(ascii(b, end + 3, lenEnd));
        int start = lenEnd + 2;
        if (b.length < start + len) {
            return last ? "" : null;
        }
        return "redis command=" + ascii(b, start, start + Math.min(len, 64)).toUpperCase(java.util.Locale.ROOT)
                + " args=" + (count - 1);
    }

    private static String postgres(byte[] b, boolean last) {
        int length = int32(b, 0);
        int code = int32(b, 4);
        if (code == 80877103) {
            return "postgres ssl-request";
        }
        if (code == 80877104) {
            return "postgres gssenc-request";
        }
        if (code == 80877102) {
            return "postgres cancel-request";
        }
        if (code != 196608 || length < 8 || length > 10_000) {
            return "";
        }
        if (b.length < length) {
            return last ? "" : null;
        }
        StringBuilder out = new StringBuilder("postgres startup protocol=3.0");
        int at = 8;
        while (at < length - 1) {
            int keyEnd = zero(b, at, length);
            int valueEnd = zero(b, keyEnd + 1, length);
            String key = new String(b, at, keyEnd - at, StandardCharsets.UTF_8);
            String value = new String(b, keyEnd + 1, valueEnd - keyEnd - 1, StandardCharsets.UTF_8);
            if (List.of("user", "database", "application_name").contains(key)) {
                out.append(' ').append(key).append('=').append(value);
            }
            at = valueEnd + 1;
        }
        return out.toString();
    }

    private static int zero(byte[] b, int from, int end) {
        for (int i = from; i < end; i++) {
            if (b[i] == 0) {
                return i;
            }
        }
        throw new IllegalArgumentException("no terminator");
    }

    static int int32(byte[] b, int at) {
        return (b[at] & 0xff) << 24 | (b[at + 1] & 0xff) << 16 | (b[at + 2] & 0xff) << 8 | b[at + 3] & 0xff;
    }

    /** The index of the CR of the first CRLF at or after {@code from}, or -1; a line is never over 8 KiB. */
    static int lineEnd(byte[] b, int from) {
        for (int i = from; i + 1 < b.length && i - from < 8192; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n') {
                return i;
            }
        }
        if (b.length - from >= 8192) {
            throw new IllegalArgumentException("line too long");
        }
        return -1;
    }

    static String ascii(byte[] b, int from, int to) {
        StringBuilder out = new StringBuilder(to - from);
        for (int i = from; i < to; i++) {
            int c = b[i] & 0xff;
            out.append(c >= 0x20 && c < 0x7f && c != '"' ? (char) c : '.');
        }
        return out.toString();
    }
}
