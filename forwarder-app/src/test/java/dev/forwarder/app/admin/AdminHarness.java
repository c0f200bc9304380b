package dev.forwarder.app.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.forwarder.app.EchoBackend;
import dev.forwarder.app.Forwarder;
import dev.forwarder.app.config.ConfigLoader;
import dev.forwarder.app.config.ForwarderConfig;
import dev.forwarder.core.ListenerBindException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * A forwarder on 127.0.0.1 port 0 with two echo backends (or more) and its admin port on port 0, and an HTTP
 * client for that port.
 */
final class AdminHarness implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();

    final List<EchoBackend> backends;
    final Forwarder forwarder;
    private final String token;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1).build();

    AdminHarness(String token, int backendCount) throws ListenerBindException {
        this.token = token;
        this.backends = java.util.stream.IntStream.range(0, backendCount).mapToObj(i -> EchoBackend.start()).toList();
        this.forwarder = Forwarder.start(config(extra("")));
    }

    AdminHarness() throws ListenerBindException {
        this("", 2);
    }

    /** The harness's config, with {@code poolExtra} added to pool web (e.g. {@code strategy = least-connections}). */
    ForwarderConfig config(String poolExtra) {
        return ConfigLoader.parse("""
                forwarder {
                  io-threads = 2
                  shutdown-timeout = 1s
                  admin { bind = "127.0.0.1:0", token = "%s" }
                  listeners { web { bind = "127.0.0.1:0", pool = web } }
                  pools { web { %s } }
                }
                """.formatted(token, poolExtra), "admin-test");
    }

    String extra(String poolExtra) {
        String addresses = String.join(", ", backends.stream().map(b -> "\"" + b.member() + "\"").toList());
        return "backends = [ " + addresses + " ]\n" + poolExtra;
    }

    InetSocketAddress admin() {
        return forwarder.adminAddress();
    }

    InetSocketAddress listener() {
        return forwarder.listenerAddress("web");
    }

    HttpResponse<String> get(String path) {
        return send(builder(path, true).GET());
    }

    HttpResponse<String> getWithoutToken(String path) {
        return send(builder(path, false).GET());
    }

    /** A mutation with the admin header (and the token, if any). */
    HttpResponse<String> post(String path, String body) {
        return send(builder(path, true).header(AdminRoutes.ADMIN_HEADER, "1")
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    HttpResponse<String> post(String path) {
        return post(path, "");
    }

    HttpResponse<String> postWithoutHeader(String path) {
        return send(builder(path, true).POST(HttpRequest.BodyPublishers.noBody()));
    }

    HttpResponse<String> delete(String path) {
        return send(builder(path, true).header(AdminRoutes.ADMIN_HEADER, "1").DELETE());
    }

    HttpResponse<String> method(String method, String path) {
        return send(builder(path, true).header(AdminRoutes.ADMIN_HEADER, "1")
                .method(method, HttpRequest.BodyPublishers.noBody()));
    }

    private HttpRequest.Builder builder(String path, boolean withToken) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + admin().getPort() + path)).timeout(Duration.ofSeconds(10));
        if (withToken && !token.isEmpty()) {
            builder.header("Authorization", "Bearer " + token);
        }
        return builder;
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        try {
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(HttpResponse<String> response) {
        try {
            return JSON.readTree(response.body());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The member {@code address} of pool web as {@code /api/pools} shows it. */
    JsonNode member(String address) {
        for (JsonNode member : json(get("/api/pools")).get("pools").get(0).get("members")) {
            if (member.get("address").asText().equals(address)) {
                return member;
            }
        }
        throw new AssertionError("no member " + address);
    }

    /** A connection through the listener that has echoed one line. */
    Socket openEchoed() throws IOException {
        Socket socket = new Socket();
        socket.connect(listener(), 5_000);
        socket.setSoTimeout(5_000);
        echo(socket, "hello");
        return socket;
    }

    /** Sends {@code line} and reads it back. */
    static void echo(Socket socket, String line) throws IOException {
        byte[] sent = (line + "\n").getBytes(StandardCharsets.US_ASCII);
        socket.getOutputStream().write(sent);
        socket.getOutputStream().flush();
        InputStream in = socket.getInputStream();
        byte[] got = in.readNBytes(sent.length);
        if (!java.util.Arrays.equals(sent, got)) {
            throw new IOException("echo: sent " + line + ", got " + new String(got, StandardCharsets.US_ASCII));
        }
    }

    /** One whole echo through the relay on a new connection. */
    void echoOnce() throws IOException {
        try (Socket socket = openEchoed()) {
            echo(socket, "again");
        }
    }

    @Override
    public void close() {
        forwarder.shutdown(Duration.ZERO);
        backends.forEach(EchoBackend::close);
    }
}
