package dev.forwarder.app.admin;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.forwarder.app.Forwarder;
import dev.forwarder.app.config.ConfigLoader;
import dev.forwarder.app.config.ForwarderConfig;
import dev.forwarder.core.ListenerBindException;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Random;

/**
 * For the tap and capture tests: a forwarder on 127.0.0.1 (listener {@code web}, admin port on port 0) in front of
 * a backend of the test's choosing, an HTTP client for the admin port, a fast echo backend (64 KiB reads), and a
 * byte pattern whose every byte is known from its offset, so a tap's dump can be checked against the stream.
 */
final class TapHarness implements AutoCloseable {

    static final ObjectMapper JSON = new ObjectMapper();
    static final int BLOCK = 1 << 20;
    private static final byte[] PATTERN = new byte[BLOCK];

    static {
        new Random(42).nextBytes(PATTERN);
    }

    final Forwarder forwarder;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5))
            .version(HttpClient.Version.HTTP_1_1).build();

    private final int backendPort;

    TapHarness(int backendPort, String listenerExtra) throws ListenerBindException {
        this.backendPort = backendPort;
        forwarder = Forwarder.start(config(listenerExtra));
    }

    /** The harness's config with {@code listenerExtra} in listener web (e.g. a {@code capture} block). */
    ForwarderConfig config(String listenerExtra) {
        return ConfigLoader.parse("""
                forwarder {
                  io-threads = 2
                  shutdown-timeout = 1s
                  admin { bind = "127.0.0.1:0" }
                  listeners { web { bind = "127.0.0.1:0", pool = web %s } }
                  pools { web { backends = [ "127.0.0.1:%d" ] } }
                }
                """.formatted(listenerExtra, backendPort), "tap-test");
    }

    int adminPort() {
        return forwarder.adminAddress().getPort();
    }

    int listenerPort() {
        return forwarder.listenerAddress("web").getPort();
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + adminPort() + path);
    }

    HttpResponse<String> get(String path) {
        return send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).GET().build());
    }

    HttpResponse<String> post(String path, String body, boolean withHeader) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (withHeader) {
            request.header(AdminRoutes.ADMIN_HEADER, "1");
        }
        return send(request.build());
    }

    HttpResponse<String> delete(String path, boolean withHeader) {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(10)).DELETE();
        if (withHeader) {
            request.header(AdminRoutes.ADMIN_HEADER, "1");
        }
        return send(request.build());
    }

    /** A streamed response: the body as it arrives. */
    HttpResponse<InputStream> stream(String path) {
        try {
            return client.send(HttpRequest.newBuilder(uri(path)).GET().build(),
                    HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    HttpResponse<byte[]> bytes(String path) {
        try {
            return client.send(HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).GET().build(),
                    HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofString());
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

    /** The running taps, as {@code GET /api/taps} shows them. */
    JsonNode taps() {
        return json(get("/api/taps")).get("taps");
    }

    /** The pattern's byte at {@code offset}: a 1 MiB random block, xor-ed with the block's number. */
    static byte at(long offset) {
        return (byte) (PATTERN[(int) (offset % BLOCK)] ^ (offset / BLOCK));
    }

    static void fill(byte[] buffer, long offset, int length) {
        for (int i = 0; i < length; i++) {
            buffer[i] = at(offset + i);
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        forwarder.shutdown(Duration.ZERO);
    }
}
