package dev.forwarder.it.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * One HTTP/1.1 GET on a fresh connection, read to the server's close. A client with a connection pool would send
 * every request down one forwarded connection, and so to one backend: balancing happens per connection, so each
 * request is a new pick. Any failure (refused, reset, an empty or cut answer, a timeout) is an exception.
 */
public final class Http {

    /** For a single request whose answer a test checks. */
    private static final Duration GET_TIMEOUT = Duration.ofSeconds(10);
    /** For the client loops of the balancer tests: a request stuck on a paused or stopped backend fails sooner. */
    private static final Duration LOOP_TIMEOUT = Duration.ofSeconds(5);

    private Http() {
    }

    /** The answer's status code and body. */
    public record Answer(int status, String body) {
    }

    /** {@code GET path}, connect and each read bounded by 10 s. */
    public static Answer get(InetSocketAddress target, String path) throws IOException {
        return get(target, path, GET_TIMEOUT);
    }

    /**
     * The body of a 200 answer to {@code GET /}, stripped: with the nginx image, the backend's host name. Connect and
     * each read bounded by 5 s.
     */
    public static String backendOf(InetSocketAddress target) throws IOException {
        Answer answer = get(target, "/", LOOP_TIMEOUT);
        if (answer.status() != 200) {
            throw new IOException("status " + answer.status() + ": " + answer.body());
        }
        return answer.body().strip();
    }

    private static Answer get(InetSocketAddress target, String path, Duration timeout) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(target, (int) timeout.toMillis());
            socket.setSoTimeout((int) timeout.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            return parse(new String(in.readAllBytes(), StandardCharsets.ISO_8859_1));
        }
    }

    private static Answer parse(String response) throws IOException {
        int headersEnd = response.indexOf("\r\n\r\n");
        if (!response.startsWith("HTTP/1.") || headersEnd < 0) {
            throw new IOException("not an HTTP response: \"" + response + '"');
        }
        String statusLine = response.substring(0, response.indexOf("\r\n"));
        int status = Integer.parseInt(statusLine.split(" ", 3)[1]);
        return new Answer(status, response.substring(headersEnd + 4));
    }
}
