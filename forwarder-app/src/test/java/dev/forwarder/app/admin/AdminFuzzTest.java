package dev.forwarder.app.admin;

import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A bounded fuzz of the admin port over raw sockets: random bytes, truncated and garbled requests, huge headers and
 * bodies, bad JSON, unknown paths, pipelined requests. Whatever arrives, the port answers with a well-formed 2xx-5xx
 * (never a 500 from forwarder's own code) or closes, nothing escapes its handler, no buffer leaks (the paranoid
 * detector runs over the class), and the relay keeps serving throughout.
 */
class AdminFuzzTest {

    private static final Logger log = LoggerFactory.getLogger(AdminFuzzTest.class);
    private static final int CASES = 3_000;
    private static final long BUDGET_NANOS = 90_000_000_000L;

    private static final List<String> PATHS = List.of("/", "/healthz", "/readyz", "/metrics", "/api/listeners",
            "/api/pools", "/api/connections", "/api/connections?limit=5&client=127.0.0.1",
            "/api/connections?limit=-1", "/api/connections?limit=%zz", "/api/connections/abc", "/api/drain-not",
            "/api/pools/web/members/%s/weight", "/api/pools/web/members/%s/drain",
            "/api/pools/web/members/%s/enable", "/api/pools/web/members/%25%s/enable", "/api/pools/%ff/members/x/y",
            "/api/pools/web/members/%s/disable", "/api/reload", "/nothing", "/api//pools", "//", "/%",
            "/api/pools/web/members/%s/weight?x=%", "*", "http://127.0.0.1/api/pools", "/" + "a".repeat(5000));
    private static final List<String> METHODS = List.of("GET", "POST", "DELETE", "PUT", "HEAD", "OPTIONS", "PATCH",
            "BREW", "G\u00c9T", "");
    private static final List<String> BODIES = List.of("", "{\"weight\": 2}", "{\"weight\": 1}", "{", "}", "null",
            "{\"weight\": -1}", "{\"weight\": 1e999}", "{\"weight\": [1]}", "[" .repeat(3000),
            "{\"weight\": 1, \"weight\": 2}", "\u0000\u0001\u0002", "{\"weight\": 2}garbage", "x".repeat(70_000));

    @Test
    void nothingAMalformedRequestDoesDisturbsTheRelayOrEscapesTheHandler() throws Exception {
        try (AdminHarness harness = new AdminHarness("", 2)) {
            String member = harness.backends.get(0).member();
            SplittableRandom random = new SplittableRandom(20261202L);
            Map<String, Integer> outcomes = new TreeMap<>();
            long deadline = System.nanoTime() + BUDGET_NANOS;
            int ran = 0;
            for (; ran < CASES && System.nanoTime() < deadline; ran++) {
                byte[] request = request(random, member);
                String outcome = exchange(harness, request);
                outcomes.merge(outcome, 1, Integer::sum);
                assertThat(outcome).as("case %d: %s", ran, preview(request))
                        .doesNotStartWith("500").doesNotStartWith("bad-response");
                if (ran % 250 == 0) {
                    harness.echoOnce();
                }
            }
            log.info("admin fuzz cases={} outcomes={}", ran, outcomes);
            assertThat(ran).isGreaterThanOrEqualTo(1_000);
            assertThat(harness.forwarder.adminServer().failures()).isZero();
            // The relay still serves, and the port still answers a good request.
            harness.echoOnce();
            assertThat(harness.get("/healthz").statusCode()).isEqualTo(200);
            assertThat(harness.forwarder.draining()).isFalse();
        }
    }

    private static byte[] request(SplittableRandom random, String member) {
        int kind = random.nextInt(10);
        return switch (kind) {
            case 0 -> bytes(random, random.nextInt(1, 2_000));
            case 1 -> truncate(random, wellFormed(random, member));
            case 2 -> hugeHeaders(random, member);
            case 3 -> hugeBody(random, member);
            case 4 -> garble(random, wellFormed(random, member));
            case 5 -> pipelined(random, member);
            default -> wellFormed(random, member);
        };
    }

    private static byte[] wellFormed(SplittableRandom random, String member) {
        String path = pick(random, PATHS).replace("%s", random.nextBoolean() ? member : member.replace(":", "%3A"));
        String method = pick(random, METHODS);
        String body = pick(random, BODIES);
        StringBuilder head = new StringBuilder()
                .append(method).append(' ').append(path).append(random.nextInt(8) == 0 ? " HTTP/1.0" : " HTTP/1.1")
                .append("\r\nHost: 127.0.0.1\r\n");
        if (random.nextBoolean()) {
            head.append(AdminRoutes.ADMIN_HEADER).append(": ").append(random.nextInt(4) == 0 ? "0" : "1")
                    .append("\r\n");
        }
        if (random.nextInt(4) == 0) {
            head.append("Authorization: Bearer ").append(random.nextInt(1_000)).append("\r\n");
        }
        if (random.nextInt(6) == 0) {
            head.append("Transfer-Encoding: chunked\r\n\r\n").append(Integer.toHexString(body.length()))
                    .append("\r\n").append(body).append("\r\n0\r\n\r\n");
            return ascii(head.toString());
        }
        int length = random.nextInt(10) == 0 ? body.length() + random.nextInt(-5, 5) : body.length();
        head.append("Content-Length: ").append(length).append("\r\nConnection: close\r\n\r\n").append(body);
        return ascii(head.toString());
    }

    private static byte[] hugeHeaders(SplittableRandom random, String member) {
        StringBuilder head = new StringBuilder("GET /api/pools HTTP/1.1\r\nHost: x\r\n");
        int headers = random.nextInt(1, 400);
        for (int i = 0; i < headers; i++) {
            head.append("X-").append(i).append(": ").append("v".repeat(random.nextInt(1, 200))).append("\r\n");
        }
        if (random.nextBoolean()) {
            head.append("X-Long: ").append("z".repeat(random.nextInt(8_000, 40_000))).append("\r\n");
        }
        return ascii(head.append("Connection: close\r\n\r\n").toString());
    }

    private static byte[] hugeBody(SplittableRandom random, String member) {
        int declared = random.nextInt(60_000, 5_000_000);
        int sent = Math.min(declared, random.nextInt(1, 200_000));
        String head = "POST /api/pools/web/members/" + member + "/weight HTTP/1.1\r\nHost: x\r\n"
                + AdminRoutes.ADMIN_HEADER + ": 1\r\nContent-Length: " + declared + "\r\n\r\n";
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(ascii(head));
        out.writeBytes(bytes(random, sent));
        return out.toByteArray();
    }

    private static byte[] pipelined(SplittableRandom random, String member) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int count = random.nextInt(2, 6);
        for (int i = 0; i < count; i++) {
            String path = pick(random, PATHS).replace("%s", member);
            out.writeBytes(ascii("GET " + path + " HTTP/1.1\r\nHost: x\r\n\r\n"));
        }
        out.writeBytes(ascii("GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"));
        return out.toByteArray();
    }

    private static byte[] truncate(SplittableRandom random, byte[] request) {
        return java.util.Arrays.copyOf(request, random.nextInt(request.length + 1));
    }

    private static byte[] garble(SplittableRandom random, byte[] request) {
        byte[] copy = request.clone();
        int flips = random.nextInt(1, 8);
        for (int i = 0; i < flips && copy.length > 0; i++) {
            copy[random.nextInt(copy.length)] = (byte) random.nextInt(256);
        }
        return copy;
    }

    private static byte[] bytes(SplittableRandom random, int length) {
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        return bytes;
    }

    private static <T> T pick(SplittableRandom random, List<T> from) {
        return from.get(random.nextInt(from.size()));
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.ISO_8859_1);
    }

    /**
     * Sends the request, ends the output, and reads until the port closes: the first status code seen, or
     * {@code closed} when it closed without an answer.
     */
    private static String exchange(AdminHarness harness, byte[] request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(harness.admin(), 5_000);
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request);
                out.flush();
                socket.shutdownOutput();
            } catch (IOException closedEarly) {
                // The port answered (413, 431) and closed before all of a huge request was written: fine.
            }
            byte[] answer = readAll(socket.getInputStream());
            if (answer.length == 0) {
                return "closed";
            }
            String text = new String(answer, 0, Math.min(answer.length, 64), StandardCharsets.ISO_8859_1);
            if (!text.matches("(?s)HTTP/1\\.1 [1-5][0-9][0-9] .*")) {
                return "bad-response " + text;
            }
            return text.substring(9, 12);
        }
    }

    private static byte[] readAll(InputStream in) throws IOException {
        ByteArrayOutputStream answer = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                answer.write(buffer, 0, n);
            }
        } catch (java.net.SocketException reset) {
            // A close with unread bytes is a reset: the answer so far is what counts.
        }
        return answer.toByteArray();
    }

    private static String preview(byte[] request) {
        Function<byte[], String> text = b -> new String(b, 0, Math.min(b.length, 120), StandardCharsets.ISO_8859_1);
        return text.apply(request).replace("\r", "\\r").replace("\n", "\\n");
    }
}
