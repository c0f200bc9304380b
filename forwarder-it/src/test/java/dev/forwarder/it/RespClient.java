package dev.forwarder.it;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Just enough of the Redis protocol (RESP2) for the tests, over a plain socket: commands go out as arrays of bulk
 * strings, and a reply comes back as a {@code String} (simple string), {@code Long} (integer), {@code byte[]} (bulk
 * string) or {@code null} (nil). A client library would hide exactly the framing the forwarder must carry intact.
 */
final class RespClient implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RespClient(InetSocketAddress target, Duration timeout) throws IOException {
        socket = new Socket();
        socket.connect(target, (int) timeout.toMillis());
        socket.setSoTimeout((int) timeout.toMillis());
        in = new BufferedInputStream(socket.getInputStream(), 64 * 1024);
        out = new BufferedOutputStream(socket.getOutputStream(), 64 * 1024);
    }

    Object command(String name, Object... args) throws IOException {
        writeLine("*" + (args.length + 1));
        writeBulk(ascii(name));
        for (Object arg : args) {
            writeBulk(arg instanceof byte[] bytes ? bytes : ascii(arg.toString()));
        }
        out.flush();
        return readReply();
    }

    private void writeBulk(byte[] bytes) throws IOException {
        writeLine("$" + bytes.length);
        out.write(bytes);
        out.write('\r');
        out.write('\n');
    }

    private void writeLine(String line) throws IOException {
        out.write(ascii(line + "\r\n"));
    }

    private Object readReply() throws IOException {
        int type = in.read();
        String line = readLine();
        switch (type) {
            case '+':
                return line;
            case '-':
                throw new IOException("redis error: " + line);
            case ':':
                return Long.parseLong(line);
            case '$': {
                int length = Integer.parseInt(line);
                if (length < 0) {
                    return null;
                }
                byte[] bulk = in.readNBytes(length);
                if (bulk.length != length || !"".equals(readLine())) {
                    throw new EOFException("bulk string cut short: " + bulk.length + " of " + length + " bytes");
                }
                return bulk;
            }
            case -1:
                throw new EOFException("connection closed before a reply");
            default:
                throw new IOException("unexpected reply type '" + (char) type + "' " + line);
        }
    }

    private String readLine() throws IOException {
        StringBuilder line = new StringBuilder();
        for (int c; (c = in.read()) != '\r'; ) {
            if (c < 0) {
                throw new EOFException("connection closed inside a reply line: " + line);
            }
            line.append((char) c);
        }
        if (in.read() != '\n') {
            throw new IOException("reply line not ended by CRLF: " + line);
        }
        return line.toString();
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
