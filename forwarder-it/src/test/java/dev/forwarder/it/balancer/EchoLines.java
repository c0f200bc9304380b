package dev.forwarder.it.balancer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Line-at-a-time talk with the hostname-echo server ({@link dev.forwarder.it.support.Backends#hostnameEcho}): a
 * connection's first line names the backend it reached, every later line comes back as sent. Reads go byte by
 * byte, so nothing after a line is buffered away from the next read.
 */
final class EchoLines {

    static final Duration TIMEOUT = Duration.ofSeconds(5);

    private EchoLines() {
    }

    /** A connection to {@code target}, reads bounded by {@link #TIMEOUT}; the caller closes it. */
    static Socket open(InetSocketAddress target) throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(target, (int) TIMEOUT.toMillis());
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            return socket;
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /** Sends {@code text} as a line and returns the line that comes back. */
    static String echo(Socket socket, String text) throws IOException {
        socket.getOutputStream().write((text + "\n").getBytes(StandardCharsets.US_ASCII));
        socket.getOutputStream().flush();
        return readLine(socket);
    }

    static String readLine(Socket socket) throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c; (c = socket.getInputStream().read()) != '\n'; ) {
            if (c < 0) {
                throw new IOException("closed after \"" + line + "\"");
            }
            line.append((char) c);
        }
        return line.toString();
    }
}
