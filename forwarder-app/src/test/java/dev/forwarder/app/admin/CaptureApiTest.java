package dev.forwarder.app.admin;

import dev.forwarder.app.capture.TestServers.Echo;
import com.fasterxml.jackson.databind.JsonNode;
import dev.forwarder.app.capture.CaptureMode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static dev.forwarder.app.admin.TapHarness.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code POST}/{@code DELETE /api/listeners/{name}/capture} and {@code GET /api/captures[/{file}]}. */
class CaptureApiTest {

    @TempDir
    Path dir;

    private static Socket echoed(TapHarness harness, String line) throws IOException {
        Socket socket = new Socket(InetAddress.getLoopbackAddress(), harness.listenerPort());
        socket.setSoTimeout(10_000);
        echo(socket, line);
        return socket;
    }

    private static void echo(Socket socket, String line) throws IOException {
        byte[] sent = line.getBytes(StandardCharsets.US_ASCII);
        socket.getOutputStream().write(sent);
        assertThat(socket.getInputStream().readNBytes(sent.length)).isEqualTo(sent);
    }

    private static JsonNode capture(TapHarness harness) {
        return json(harness.get("/api/listeners")).get("listeners").get(0).get("capture");
    }

    @Test
    void captureStartsOnALiveConnectionListsDownloadsAndStops() throws Exception {
        try (Echo echo = new Echo(); TapHarness harness = new TapHarness(echo.port(), "");
                Socket live = echoed(harness, "before\n")) {
            assertThat(capture(harness).get("mode").asText()).isEqualTo("off");
            assertThat(capture(harness).get("by").asText()).isEqualTo("config");

            HttpResponse<String> started = harness.post("/api/listeners/web/capture",
                    "{\"mode\": \"pcap\", \"dir\": \"" + dir + "\", \"max-bytes\": \"64 KiB\"}", true);
            assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
            assertThat(json(started).get("capture").get("mode").asText()).isEqualTo("pcap");
            assertThat(json(started).get("capture").get("max_bytes").asLong()).isEqualTo(64 * 1024);
            JsonNode inForce = capture(harness);
            assertThat(inForce.get("mode").asText()).isEqualTo("pcap");
            assertThat(inForce.get("by").asText()).isEqualTo("admin-api@127.0.0.1");
            assertThat(inForce.get("dir").asText()).isEqualTo(dir.toAbsolutePath().toString());

            echo(live, "during\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                JsonNode files = json(harness.get("/api/captures")).get("captures");
                return files.size() == 1 && files.get(0).get("size").asLong() > 24;
            });
            JsonNode listed = json(harness.get("/api/captures")).get("captures").get(0);
            String name = listed.get("name").asText();
            assertThat(name).matches("web-[0-9]{8}-[0-9]{6}-[0-9]{4}\\.pcap");
            assertThat(listed.get("listener").asText()).isEqualTo("web");
            assertThat(listed.get("dir").asText()).isEqualTo(dir.toAbsolutePath().toString());
            assertThat(listed.get("modified").asText()).isNotEmpty();

            HttpResponse<String> stopped = harness.delete("/api/listeners/web/capture", true);
            assertThat(stopped.statusCode()).isEqualTo(200);
            assertThat(json(stopped).get("stopped").asBoolean()).isTrue();
            assertThat(capture(harness).get("mode").asText()).isEqualTo("off");
            assertThat(harness.forwarder.captures().settings("web").mode()).isEqualTo(CaptureMode.OFF);
            echo(live, "after\n");

            HttpResponse<byte[]> download = harness.bytes("/api/captures/" + name);
            assertThat(download.statusCode()).isEqualTo(200);
            assertThat(download.headers().firstValue("content-type")).hasValue("application/vnd.tcpdump.pcap");
            byte[] file = Files.readAllBytes(dir.resolve(name));
            assertThat(download.body()).isEqualTo(file);
            String text = new String(file, StandardCharsets.ISO_8859_1);
            assertThat(text).contains("during\n").doesNotContain("before\n").doesNotContain("after\n");
            assertThat(json(harness.get("/api/captures")).get("captures").get(0).get("size").asLong())
                    .isEqualTo(file.length);
        }
    }

    @Test
    void downloadsNeverReachOutsideTheCaptureDirs() throws Exception {
        try (Echo echo = new Echo(); TapHarness harness = new TapHarness(echo.port(), "")) {
            assertThat(harness.post("/api/listeners/web/capture", "{\"mode\": \"pcap\", \"dir\": \"" + dir + "\"}",
                    true).statusCode()).isEqualTo(200);
            Files.writeString(dir.resolve("secret.txt"), "secret");
            Files.writeString(dir.getParent().resolve("web-20260101-000000-0001.pcap"), "outside");

            for (String path : new String[] {"..", "..%2F..%2Fetc%2Fpasswd", "%2Fetc%2Fpasswd", "secret.txt",
                    "..%2Fweb-20260101-000000-0001.pcap", "%5C..%5Cweb-20260101-000000-0001.pcap", ".web-x.pcap"}) {
                HttpResponse<String> refused = harness.get("/api/captures/" + path);
                assertThat(refused.statusCode()).as(path).isEqualTo(400);
                assertThat(json(refused).get("error").asText()).as(path).startsWith("file: ");
            }
            // A well-formed name that is not one of the listed files, though it exists one directory up.
            assertThat(harness.get("/api/captures/web-20260101-000000-0001.pcap").statusCode()).isEqualTo(404);
            // Unencoded dot segments, as a raw client sends them: no such path.
            assertThat(raw(harness, "GET /api/captures/../../etc/passwd HTTP/1.1")).startsWith("HTTP/1.1 404");
            assertThat(raw(harness, "GET /api/captures/../web-20260101-000000-0001.pcap HTTP/1.1"))
                    .startsWith("HTTP/1.1 404");
        }
    }

    private static String raw(TapHarness harness, String requestLine) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), harness.adminPort())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write((requestLine + "\r\nHost: x\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void mutationsNeedTheAdminHeaderAndBadRequestsChangeNothing() throws Exception {
        try (Echo echo = new Echo(); TapHarness harness = new TapHarness(echo.port(), "")) {
            String body = "{\"mode\": \"pcap\", \"dir\": \"" + dir + "\"}";
            assertThat(harness.post("/api/listeners/web/capture", body, false).statusCode()).isEqualTo(403);
            assertThat(harness.delete("/api/listeners/web/capture", false).statusCode()).isEqualTo(403);
            assertThat(harness.post("/api/listeners/nope/capture", body, true).statusCode()).isEqualTo(404);
            assertThat(harness.delete("/api/listeners/nope/capture", true).statusCode()).isEqualTo(404);
            assertThat(harness.get("/api/listeners/web/capture").statusCode()).isEqualTo(405);
            for (String bad : new String[] {"not json", "[1]", "{}", "{\"mode\": \"off\"}", "{\"mode\": \"tcpdump\"}",
                    "{\"mode\": \"pcap\", \"max-bytes\": 0}", "{\"mode\": \"pcap\", \"max-bytes\": \"lots\"}",
                    "{\"mode\": \"pcap\", \"max-files\": 0}", "{\"mode\": \"pcap\", \"max-file-size\": 1}",
                    "{\"mode\": \"pcap\", \"dir\": \"\"}", "{\"mode\": \"pcap\", \"color\": \"red\"}"}) {
                HttpResponse<String> refused = harness.post("/api/listeners/web/capture", bad, true);
                assertThat(refused.statusCode()).as(bad).isEqualTo(400);
                assertThat(json(refused).get("error").asText()).as(bad).isNotEmpty();
                assertThat(capture(harness).get("mode").asText()).as(bad).isEqualTo("off");
            }
            assertThat(harness.forwarder.captures().active()).isEmpty();
        }
    }

    @Test
    void aRuntimeCaptureStaysAcrossAReloadThatLeavesTheListenersCaptureAlone() throws Exception {
        try (Echo echo = new Echo(); TapHarness harness = new TapHarness(echo.port(), "")) {
            assertThat(harness.post("/api/listeners/web/capture", "{\"mode\": \"hexdump\"}", true).statusCode())
                    .isEqualTo(200);
            harness.forwarder.apply(harness.config(""));
            assertThat(capture(harness).get("mode").asText()).isEqualTo("hexdump");
            assertThat(capture(harness).get("by").asText()).startsWith("admin-api@");

            // A reload that changes the listener's capture block: the config wins (and a WARN line says so).
            harness.forwarder.apply(harness.config(", capture { mode = pcap, dir = \"" + dir + "\" }"));
            assertThat(capture(harness).get("mode").asText()).isEqualTo("pcap");
            assertThat(capture(harness).get("by").asText()).isEqualTo("config");

            // Stopped at runtime, it stays stopped across a reload that leaves the block as it is.
            assertThat(harness.delete("/api/listeners/web/capture", true).statusCode()).isEqualTo(200);
            harness.forwarder.apply(harness.config(", capture { mode = pcap, dir = \"" + dir + "\" }"));
            assertThat(capture(harness).get("mode").asText()).isEqualTo("off");
            assertThat(capture(harness).get("by").asText()).startsWith("admin-api@");
        }
    }

    @Test
    void aPostTakesTheListenersConfiguredCaptureForWhatItLeavesOut() throws Exception {
        try (Echo echo = new Echo(); TapHarness harness = new TapHarness(echo.port(),
                ", capture { mode = pcap, dir = \"" + dir + "\", max-bytes = 2 KiB, max-files = 3 }")) {
            assertThat(harness.delete("/api/listeners/web/capture", true).statusCode()).isEqualTo(200);
            HttpResponse<String> started = harness.post("/api/listeners/web/capture", "{\"max-files\": 5}", true);
            assertThat(started.statusCode()).as(started.body()).isEqualTo(200);
            JsonNode capture = json(started).get("capture");
            assertThat(capture.get("mode").asText()).isEqualTo("pcap");
            assertThat(capture.get("max_bytes").asLong()).isEqualTo(2048);
            assertThat(capture.get("max_files").asInt()).isEqualTo(5);
            assertThat(capture.get("dir").asText()).isEqualTo(dir.toAbsolutePath().toString());
        }
    }
}
