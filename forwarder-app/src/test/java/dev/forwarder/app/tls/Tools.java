package dev.forwarder.app.tls;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The real clients and the small backends of the TLS tests. */
final class Tools {

    private Tools() {
    }

    /** Runs a command with {@code input} on its standard input; its output and exit code. Fails if it is missing. */
    static Result run(Path dir, String input, String... command) throws IOException, InterruptedException {
        Process process;
        try {
            process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new IOException(command[0] + " is needed (Debian's package; scripts/test-tools.sh installs it)", e);
        }
        process.getOutputStream().write(input.getBytes(StandardCharsets.UTF_8));
        process.getOutputStream().close();
        byte[] output = process.getInputStream().readAllBytes();
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException(String.join(" ", command) + " did not end within 30 s");
        }
        return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
    }

    record Result(int exit, String output) {
    }

    /** {@code openssl s_client} against 127.0.0.1:port, trusting {@code ca}; reads until the server closes. */
    static Result sClient(Path dir, int port, Path ca, String serverName, String alpn, String... more)
            throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("openssl", "s_client", "-connect", "127.0.0.1:" + port,
                "-CAfile", ca.toString(), "-verify_return_error", "-ign_eof", "-msg"));
        if (serverName != null) {
            command.addAll(List.of("-servername", serverName));
        } else {
            command.add("-noservername");
        }
        if (alpn != null) {
            command.addAll(List.of("-alpn", alpn));
        }
        command.addAll(List.of(more));
        return run(dir, "", command.toArray(String[]::new));
    }

    /**
     * A backend that speaks first: it writes its name, half-closes and closes once the other side has; or, as
     * {@code http}, answers each connection's request with {@code 200} and its name as the body.
     */
    static final class NamedBackend implements AutoCloseable {
        private final ServerSocket socket;
        private final ExecutorService threads = Executors.newCachedThreadPool(r -> {
            Thread thread = new Thread(r, "test-named-backend");
            thread.setDaemon(true);
            return thread;
        });
        final AtomicInteger accepted = new AtomicInteger();

        NamedBackend(String name, boolean http) {
            try {
                socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            threads.execute(() -> {
                while (!socket.isClosed()) {
                    try {
                        Socket session = socket.accept();
                        accepted.incrementAndGet();
                        threads.execute(() -> serve(session, name, http));
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
        }

        private static void serve(Socket session, String name, boolean http) {
            try (session) {
                session.setSoTimeout(10_000);
                if (http) {
                    byte[] request = new byte[8192];
                    int length = 0;
                    while (length < request.length) {
                        int n = session.getInputStream().read(request, length, request.length - length);
                        if (n < 0) {
                            return;
                        }
                        length += n;
                        if (new String(request, 0, length, StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
                            break;
                        }
                    }
                    session.getOutputStream().write(("HTTP/1.1 200 OK\r\nContent-Length: " + name.length()
                            + "\r\nConnection: close\r\n\r\n" + name).getBytes(StandardCharsets.US_ASCII));
                } else {
                    session.getOutputStream().write((name + "\n").getBytes(StandardCharsets.US_ASCII));
                }
                session.shutdownOutput();
                session.getInputStream().transferTo(java.io.OutputStream.nullOutputStream());
            } catch (IOException gone) {
                // the peer went away
            }
        }

        int port() {
            return socket.getLocalPort();
        }

        InetSocketAddress address() {
            return new InetSocketAddress(InetAddress.getLoopbackAddress(), port());
        }

        @Override
        public void close() throws IOException {
            socket.close();
            threads.shutdownNow();
        }
    }
}
