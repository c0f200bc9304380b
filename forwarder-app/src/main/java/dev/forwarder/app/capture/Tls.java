package dev.forwarder.app.capture;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** The parts of a TLS ClientHello and ServerHello a summary names (SNI, ALPN, version), read from the first record. */
final class Tls {

    private Tls() {
    }

    static String clientHello(byte[] b, boolean last) {
        Body body = body(b, last, 1);
        if (body == null) {
            return null;
        }
        if (body.start < 0) {
            return "";
        }
        int at = body.start + 2 + 32; // client_version, random
        at += 1 + (b[at] & 0xff); // session id
        at += 2 + u16(b, at); // cipher suites
        at += 1 + (b[at] & 0xff); // compression methods
        Extensions found = extensions(b, at, body.end);
        StringBuilder out = new StringBuilder("tls client-hello");
        out.append(" sni=").append(found.sni == null ? "-" : found.sni);
        out.append(" alpn=").append(found.alpn.isEmpty() ? "-" : String.join(",", found.alpn));
        return out.toString();
    }

    static String serverHello(byte[] b, boolean last) {
        Body body = body(b, last, 2);
        if (body == null) {
            return null;
        }
        if (body.start < 0) {
            return "";
        }
        int at = body.start + 2 + 32;
        at += 1 + (b[at] & 0xff); // session id
        at += 2 + 1; // cipher suite, compression method
        Extensions found = at < body.end ? extensions(b, at, body.end) : new Extensions();
        return "tls server-hello alpn=" + (found.alpn.isEmpty() ? "-" : String.join(",", found.alpn))
                + (found.tls13 ? " version=1.3" : "");
    }

    private record Body(int start, int end) {
    }

    /** The handshake message of {@code type} in the first record: null = need more, start -1 = not one. */
    private static Body body(byte[] b, boolean last, int type) {
        if (b.length < 9) {
            return last ? new Body(-1, -1) : null;
        }
        if (b[1] != 3 || (b[5] & 0xff) != type) {
            return new Body(-1, -1);
        }
        int recordEnd = 5 + u16(b, 3);
        if (b.length < recordEnd) {
            return last ? new Body(-1, -1) : null;
        }
        int length = (b[6] & 0xff) << 16 | u16(b, 7);
        return new Body(9, Math.min(recordEnd, 9 + length));
    }

    private static final class Extensions {
        String sni;
        final List<String> alpn = new ArrayList<>();
        boolean tls13;
    }

    private static Extensions extensions(byte[] b, int at, int end) {
        Extensions found = new Extensions();
        int stop = Math.min(end, at + 2 + u16(b, at));
        at += 2;
        while (at + 4 <= stop) {
            int type = u16(b, at);
            int length = u16(b, at + 2);
            int data = at + 4;
            if (type == 0 && length >= 5) {
                int nameLength = u16(b, data + 3);
                found.sni = new String(b, data + 5, nameLength, StandardCharsets.US_ASCII);
            } else if (type == 16 && length >= 2) {
                int listEnd = data + 2 + u16(b, data);
                for (int p = data + 2; p < listEnd; ) {
                    int n = b[p] & 0xff;
                    found.alpn.add(new String(b, p + 1, n, StandardCharsets.US_ASCII));
                    p += 1 + n;
                }
            } else if (type == 43 && length == 2 && u16(b, data) == 0x0304) {
                found.tls13 = true;
            }
            at = data + length;
        }
        return found;
    }

    private static int u16(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | b[at + 1] & 0xff;
    }
}
