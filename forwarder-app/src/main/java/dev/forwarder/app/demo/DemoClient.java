package dev.forwarder.app.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Sends one HTTP/1.1 GET over a fresh connection and returns the response body; plain sockets, no pooling. */
public final class DemoClient {

    private static final int TIMEOUT_MILLIS = 5000;

    private DemoClient() {
    }

    /**
     * {@code GET /} to {@code address}.
     *
     * @return the body with its trailing newline removed
     * @throws IOException when the connection fails or the answer is not a 200 response
     */
    public static String get(InetSocketAddress address) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(address, TIMEOUT_MILLIS);
            socket.setSoTimeout(TIMEOUT_MILLIS);
            OutputStream out = socket.getOutputStream();
            out.write(("GET / HTTP/1.1\r\nHost: " + address.getHostString() + ":" + address.getPort()
                    + "\r\nUser-Agent: forwarder-demo\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            String response = new String(in.readAllBytes(), StandardCharsets.UTF_8);
            int body = response.indexOf("\r\n\r\n");
            if (!response.startsWith("HTTP/1.1 200 ") || body < 0) {
                throw new IOException("unexpected answer from " + address + ": \"" + response.strip() + "\"");
            }
            return response.substring(body + 4).strip();
        }
    }
}
