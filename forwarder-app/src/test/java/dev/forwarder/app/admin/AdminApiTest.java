package dev.forwarder.app.admin;

import com.fasterxml.jackson.databind.JsonNode;
import dev.forwarder.app.EchoBackend;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static dev.forwarder.app.admin.AdminHarness.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** Each endpoint of the admin port against a real forwarder on 127.0.0.1. */
class AdminApiTest {

    @Test
    void listenersShowTheirBindPoolConnectionsAndState() throws Exception {
        try (AdminHarness harness = new AdminHarness(); Socket open = harness.openEchoed()) {
            HttpResponse<String> response = harness.get("/api/listeners");

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(response.headers().firstValue("content-type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/json"));
            JsonNode web = json(response).get("listeners").get(0);
            assertThat(web.get("name").asText()).isEqualTo("web");
            assertThat(web.get("bind").asText()).isEqualTo("127.0.0.1:" + harness.listener().getPort());
            assertThat(web.get("pool").asText()).isEqualTo("web");
            assertThat(web.get("active_connections").asInt()).isEqualTo(1);
            assertThat(web.get("state").asText()).isEqualTo("accepting");
        }
    }

    @Test
    void poolsShowStrategyAndEveryMembersStateWeightsAndConnections() throws Exception {
        try (AdminHarness harness = new AdminHarness(); Socket open = harness.openEchoed()) {
            JsonNode pool = json(harness.get("/api/pools")).get("pools").get(0);

            assertThat(pool.get("name").asText()).isEqualTo("web");
            assertThat(pool.get("strategy").asText()).isEqualTo("round-robin");
            assertThat(pool.get("available").asBoolean()).isTrue();
            JsonNode first = pool.get("members").get(0);
            assertThat(first.get("address").asText()).isEqualTo(harness.backends.get(0).member());
            assertThat(first.get("state").asText()).isEqualTo("up");
            assertThat(first.get("admin_state").asText()).isEqualTo("enabled");
            assertThat(first.get("admin_by").asText()).isEqualTo("config");
            assertThat(first.get("weight").asInt()).isEqualTo(1);
            assertThat(first.get("effective_weight").asDouble()).isEqualTo(1.0);
            assertThat(first.has("last_check")).isTrue();
            assertThat(first.get("reason").asText()).isNotEmpty();
            int active = 0;
            for (JsonNode member : pool.get("members")) {
                active += member.get("active_connections").asInt();
            }
            assertThat(active).isEqualTo(1);
        }
    }

    @Test
    void connectionsAreListedFilteredAndLimited() throws Exception {
        try (AdminHarness harness = new AdminHarness(); Socket a = harness.openEchoed();
                Socket b = harness.openEchoed(); Socket c = harness.openEchoed()) {
            JsonNode all = json(harness.get("/api/connections"));
            assertThat(all.get("count").asInt()).isEqualTo(3);
            assertThat(all.get("limit").asInt()).isEqualTo(StatusJson.DEFAULT_LIMIT);
            JsonNode first = all.get("connections").get(0);
            assertThat(first.get("listener").asText()).isEqualTo("web");
            assertThat(first.get("state").asText()).isEqualTo("open");
            assertThat(first.get("bytes_up").asLong()).isEqualTo(6);
            // The timeline: connected, bytes both ways (the echo), neither side has closed.
            assertThat(first.get("connect_ms").isNumber()).as("connect_ms: %s", first).isTrue();
            assertThat(first.get("first_down_ms").asDouble()).isGreaterThanOrEqualTo(first.get("first_up_ms").asDouble())
                    .isGreaterThan(0);
            assertThat(first.get("first_close").isNull()).isTrue();
            assertThat(first.get("choice").asText()).matches("round-robin position=[01] cycle=2");
            assertThat(first.has("summary")).as("capture.summary is off").isFalse();

            String backend = harness.backends.get(0).member();
            JsonNode toFirst = json(harness.get("/api/connections?backend=" + backend));
            assertThat(toFirst.get("count").asInt()).isEqualTo(2);
            assertThat(toFirst.get("connections").findValuesAsText("backend")).containsOnly(backend);

            String client = "127.0.0.1:" + b.getLocalPort();
            JsonNode byClient = json(harness.get("/api/connections?client=" + client));
            assertThat(byClient.get("connections").findValuesAsText("client")).containsExactly(client);
            assertThat(json(harness.get("/api/connections?client=127.0.0.1")).get("count").asInt()).isEqualTo(3);

            JsonNode limited = json(harness.get("/api/connections?listener=web&limit=2"));
            assertThat(limited.get("count").asInt()).isEqualTo(2);
            assertThat(limited.get("truncated").asBoolean()).isTrue();

            assertThat(harness.get("/api/connections?limit=0").statusCode()).isEqualTo(400);
            assertThat(harness.get("/api/connections?limit=x").statusCode()).isEqualTo(400);
            assertThat(harness.get("/api/connections?listener=nope").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void deleteClosesOneConnectionByIdAndAnUnknownIdIs404() throws Exception {
        try (AdminHarness harness = new AdminHarness(); Socket kept = harness.openEchoed();
                Socket closed = harness.openEchoed()) {
            String client = "127.0.0.1:" + closed.getLocalPort();
            String id = json(harness.get("/api/connections?client=" + client)).get("connections").get(0)
                    .get("id").asText();

            HttpResponse<String> response = harness.delete("/api/connections/" + id);

            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(json(response).get("reason").asText()).isEqualTo("admin");
            InputStream in = closed.getInputStream();
            assertThatThrownBy(() -> {
                // A reset, or an end of stream: either way the connection is gone.
                if (in.read() < 0) {
                    throw new java.io.EOFException("closed");
                }
            }).isInstanceOf(java.io.IOException.class);
            AdminHarness.echo(kept, "still here");
            assertThat(harness.delete("/api/connections/" + id).statusCode()).isEqualTo(404);
            assertThat(harness.delete("/api/connections/no-such-id").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void drainStopsAcceptingWithoutExitingAndReadyzFlips() throws Exception {
        try (AdminHarness harness = new AdminHarness(); Socket open = harness.openEchoed()) {
            assertThat(harness.get("/readyz").statusCode()).isEqualTo(200);
            assertThat(json(harness.get("/readyz")).get("ready").asBoolean()).isTrue();

            HttpResponse<String> drained = harness.post("/api/drain");

            assertThat(drained.statusCode()).isEqualTo(200);
            HttpResponse<String> readyz = harness.get("/readyz");
            assertThat(readyz.statusCode()).isEqualTo(503);
            assertThat(json(readyz).get("ready").asBoolean()).isFalse();
            assertThat(json(readyz).get("reason").asText()).isEqualTo("draining");
            assertThat(harness.get("/healthz").statusCode()).isEqualTo(200);
            assertThat(json(harness.get("/api/listeners")).get("listeners").get(0).get("state").asText())
                    .isEqualTo("stopped");
            assertThatThrownBy(() -> new Socket().connect(harness.listener(), 2_000))
                    .isInstanceOf(ConnectException.class);
            AdminHarness.echo(open, "open connections carry on");
            assertThat(harness.post("/api/drain").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void readyzIs503WhileAPoolHasNoMemberUp() throws Exception {
        try (AdminHarness harness = new AdminHarness()) {
            for (EchoBackend backend : harness.backends) {
                assertThat(harness.post("/api/pools/web/members/" + backend.member() + "/disable").statusCode())
                        .isEqualTo(200);
            }
            HttpResponse<String> readyz = harness.get("/readyz");
            assertThat(readyz.statusCode()).isEqualTo(503);
            assertThat(json(readyz).get("reason").asText()).isEqualTo("pool web has no member up");
            harness.post("/api/pools/web/members/" + harness.backends.get(1).member() + "/enable");
            assertThat(harness.get("/readyz").statusCode()).isEqualTo(200);
        }
    }

    @Test
    void memberActionsSetTheAdminStateWhoAndWhen() throws Exception {
        try (AdminHarness harness = new AdminHarness()) {
            String member = harness.backends.get(0).member();
            String encoded = member.replace(":", "%3A");

            HttpResponse<String> drained = harness.post("/api/pools/web/members/" + encoded + "/drain");

            assertThat(drained.statusCode()).isEqualTo(200);
            assertThat(json(drained).get("admin_state").asText()).isEqualTo("draining");
            JsonNode shown = harness.member(member);
            assertThat(shown.get("admin_state").asText()).isEqualTo("draining");
            assertThat(shown.get("admin_by").asText()).isEqualTo("admin-api@127.0.0.1");
            assertThat(shown.get("admin_since").asText()).isNotEmpty();
            assertThat(shown.get("reason").asText()).contains("admin_state=draining");

            assertThat(harness.post("/api/pools/web/members/" + member + "/disable").statusCode()).isEqualTo(200);
            assertThat(harness.member(member).get("admin_state").asText()).isEqualTo("disabled");
            assertThat(harness.post("/api/pools/web/members/" + member + "/enable").statusCode()).isEqualTo(200);
            assertThat(harness.member(member).get("admin_state").asText()).isEqualTo("enabled");

            assertThat(harness.post("/api/pools/nope/members/" + member + "/drain").statusCode()).isEqualTo(404);
            assertThat(harness.post("/api/pools/web/members/127.0.0.1:1/drain").statusCode()).isEqualTo(404);
            assertThat(harness.post("/api/pools/web/members/" + member + "/explode").statusCode()).isEqualTo(404);
        }
    }

    @Test
    void weightTakesAJsonBodyAndRejectsBadOnes() throws Exception {
        try (AdminHarness harness = new AdminHarness()) {
            String path = "/api/pools/web/members/" + harness.backends.get(0).member() + "/weight";

            HttpResponse<String> set = harness.post(path, "{\"weight\": 3}");

            assertThat(set.statusCode()).isEqualTo(200);
            assertThat(json(set).get("weight").asInt()).isEqualTo(3);
            assertThat(json(set).get("previous_weight").asInt()).isEqualTo(1);
            assertThat(harness.member(harness.backends.get(0).member()).get("effective_weight").asDouble())
                    .isEqualTo(3.0);
            for (String bad : new String[] {"", "{", "not json", "[3]", "{\"weight\": \"3\"}", "{\"weight\": 0}",
                    "{\"weight\": 257}", "{\"weight\": 1.5}", "{\"weight\": 99999999999}", "{\"other\": 1}"}) {
                HttpResponse<String> response = harness.post(path, bad);
                assertThat(response.statusCode()).as(bad).isEqualTo(400);
                assertThat(json(response).get("error").asText()).as(bad).isNotEmpty();
            }
            assertThat(harness.member(harness.backends.get(0).member()).get("weight").asInt()).isEqualTo(3);
        }
    }

    @Test
    void mutationsNeedTheAdminHeaderAndTheRightMethod() throws Exception {
        try (AdminHarness harness = new AdminHarness()) {
            String member = harness.backends.get(0).member();
            HttpResponse<String> forbidden = harness.postWithoutHeader("/api/pools/web/members/" + member + "/drain");
            assertThat(forbidden.statusCode()).isEqualTo(403);
            assertThat(json(forbidden).get("error").asText()).contains("X-Forwarder-Admin: 1");
            assertThat(harness.member(member).get("admin_state").asText()).isEqualTo("enabled");
            assertThat(harness.postWithoutHeader("/api/drain").statusCode()).isEqualTo(403);
            assertThat(harness.forwarder.draining()).isFalse();

            HttpResponse<String> wrongMethod = harness.get("/api/drain");
            assertThat(wrongMethod.statusCode()).isEqualTo(405);
            assertThat(wrongMethod.headers().firstValue("allow")).hasValue("POST");
            assertThat(harness.get("/api/pools/web/members/" + member + "/drain").statusCode()).isEqualTo(405);
            assertThat(harness.method("PUT", "/api/pools").statusCode()).isEqualTo(405);
            assertThat(harness.delete("/api/pools").statusCode()).isEqualTo(405);
            assertThat(harness.get("/api/connections/123").statusCode()).isEqualTo(405);

            HttpResponse<String> unknown = harness.get("/api/nothing-here");
            assertThat(unknown.statusCode()).isEqualTo(404);
            assertThat(json(unknown).get("error").asText()).contains("/api/nothing-here");
        }
    }

    @Test
    void withATokenEverythingButTheProbesNeedsIt() throws Exception {
        try (AdminHarness harness = new AdminHarness("s3cret", 2)) {
            assertThat(harness.get("/api/pools").statusCode()).isEqualTo(200);
            HttpResponse<String> missing = harness.getWithoutToken("/api/pools");
            assertThat(missing.statusCode()).isEqualTo(401);
            assertThat(missing.headers().firstValue("www-authenticate")).hasValue("Bearer");
            assertThat(harness.getWithoutToken("/metrics").statusCode()).isEqualTo(401);
            assertThat(harness.getWithoutToken("/no-such-path").statusCode()).isEqualTo(401);
            assertThat(harness.getWithoutToken("/healthz").statusCode()).isEqualTo(200);
            assertThat(harness.getWithoutToken("/readyz").statusCode()).isEqualTo(200);
            // The status page's HTML holds no data; the API calls it makes carry the token typed into it.
            HttpResponse<String> page = harness.getWithoutToken("/");
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.body()).contains("<title>forwarder status</title>").doesNotContain("127.0.0.1");
            assertThat(harness.post("/api/pools/web/members/" + harness.backends.get(0).member() + "/drain")
                    .statusCode()).isEqualTo(200);
        }
    }

    @Test
    void aWrongTokenIs401() throws Exception {
        try (AdminHarness right = new AdminHarness("s3cret", 1)) {
            java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
            HttpResponse<String> response = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(
                    "http://127.0.0.1:" + right.admin().getPort() + "/api/pools"))
                    .header("Authorization", "Bearer s3cre").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(response.statusCode()).isEqualTo(401);
        }
    }

    @Test
    void reloadAnswers503UntilItsHookIsSetAndMetricsServeThePrometheusExposition() throws Exception {
        try (AdminHarness harness = new AdminHarness()) {
            HttpResponse<String> reload = harness.post("/api/reload");
            assertThat(reload.statusCode()).isEqualTo(503);
            assertThat(json(reload).get("error").asText()).isEqualTo("reload not configured");
            harness.echoOnce();
            HttpResponse<String> prometheus = harness.get("/metrics");
            assertThat(prometheus.statusCode()).isEqualTo(200);
            assertThat(prometheus.headers().firstValue("content-type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("text/plain; version=0.0.4"));
            assertThat(prometheus.body()).contains("forwarder_listener_accepted_total{listener=\"web\"} 1");

            harness.forwarder.reloadHook(() -> new ReloadHook.ReloadReply(true, "added=[b]"));
            harness.forwarder.metricsWriter(new MetricsWriter() {
                @Override
                public String contentType() {
                    return "text/plain; version=0.0.4; charset=utf-8";
                }

                @Override
                public void write(java.io.OutputStream out) throws java.io.IOException {
                    out.write("forwarder_up 1\n".getBytes(StandardCharsets.UTF_8));
                }
            });
            HttpResponse<String> reloaded = harness.post("/api/reload");
            assertThat(reloaded.statusCode()).isEqualTo(200);
            assertThat(json(reloaded).get("message").asText()).isEqualTo("added=[b]");
            HttpResponse<String> metrics = harness.get("/metrics");
            assertThat(metrics.statusCode()).isEqualTo(200);
            assertThat(metrics.body()).isEqualTo("forwarder_up 1\n");
            assertThat(metrics.headers().firstValue("content-type")).hasValue("text/plain; version=0.0.4; charset=utf-8");

            harness.forwarder.reloadHook(() -> new ReloadHook.ReloadReply(false,
                    "forwarder.conf:3: forwarder.pools.web.strategy: \"x\" is not a strategy"));
            HttpResponse<String> rejected = harness.post("/api/reload");
            assertThat(rejected.statusCode()).isEqualTo(400);
            assertThat(json(rejected).get("error").asText()).contains("forwarder.conf:3");
        }
    }

    @Test
    void theRootServesTheStatusPage() throws Exception {
        try (AdminHarness harness = new AdminHarness()) {
            HttpResponse<String> root = harness.get("/");
            assertThat(root.statusCode()).isEqualTo(200);
            assertThat(root.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
            assertThat(root.body()).contains("/api/pools", "X-Forwarder-Admin");
        }
    }

    @Test
    void aTakenAdminPortFailsTheStartAndLeavesNothingOpen() throws Exception {
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress());
                EchoBackend backend = EchoBackend.start()) {
            dev.forwarder.app.config.ForwarderConfig config = dev.forwarder.app.config.ConfigLoader.parse("""
                    forwarder {
                      admin { bind = "127.0.0.1:%d" }
                      listeners { web { bind = "127.0.0.1:0", pool = web } }
                      pools { web { backends = [ "%s" ] } }
                    }
                    """.formatted(taken.getLocalPort(), backend.member()), "taken");

            assertThatThrownBy(() -> dev.forwarder.app.Forwarder.start(config))
                    .isInstanceOf(dev.forwarder.core.ListenerBindException.class)
                    .hasMessage("admin: cannot bind 127.0.0.1:" + taken.getLocalPort() + ": Address already in use");
        }
    }

    @Test
    void theAdminPortStopsWithTheForwarder() throws Exception {
        AdminHarness harness = new AdminHarness();
        java.net.InetSocketAddress admin = harness.admin();
        harness.close();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThatThrownBy(
                () -> new Socket().connect(admin, 1_000)).isInstanceOf(ConnectException.class));
        assertThat(harness.forwarder.adminServer().failures()).isZero();
    }
}
