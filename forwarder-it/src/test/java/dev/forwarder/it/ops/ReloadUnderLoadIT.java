package dev.forwarder.it.ops;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Reload under load: the packaged jar as a process in front of three echo containers; 50 long-lived connections
 * stream through it while five reloads (after rewriting its config file; four by SIGHUP, one by {@code POST
 * /api/reload}) add and remove members and change weights, and one bad file is refused by {@code POST /api/reload}
 * with its reason. Every stream ends intact (SHA-256 of what went out equals that of what came
 * back), new connections follow each new config, and the refused file leaves the previous one serving with its
 * reason in the log. The figures go to the log and to {@code target/reload-under-load.txt}.
 */
@Testcontainers
class ReloadUnderLoadIT {

    private static final Logger log = LoggerFactory.getLogger(ReloadUnderLoadIT.class);
    private static final int STREAMS = 50;
    private static final int CHUNK = 4096;
    /** 4 KiB every 20 ms: about 200 KB/s a stream, 10 MB/s in all each way, for as long as the test runs. */
    private static final Duration PACE = Duration.ofMillis(20);
    /** Bytes all streams together send between two reloads, so each config carries traffic. */
    private static final long BETWEEN_RELOADS = 4L << 20;
    private static final Path LOG = Path.of("target", "reload-under-load-forwarder.log");
    private static final Path FIGURES = Path.of("target", "reload-under-load.txt");
    private static final Pattern TOOK = Pattern.compile("reloaded config=\\S+ took_ms=([0-9]+)");

    @Container
    static final GenericContainer<?> A = HostnameEcho.create("reload-a");
    @Container
    static final GenericContainer<?> B = HostnameEcho.create("reload-b");
    @Container
    static final GenericContainer<?> C = HostnameEcho.create("reload-c");

    @TempDir
    Path dir;

    private record Step(String what, Map<GenericContainer<?>, Integer> weights) {
    }

    @Test
    void fiftyStreamsSurviveFiveReloadsThatChangeMembersAndWeights() throws Exception {
        Path config = dir.resolve("forwarder.conf");
        write(config, weights(A, 1, B, 1));
        List<Step> steps = List.of(
                new Step("add reload-c", weights(A, 1, B, 1, C, 1)),
                new Step("weights a=3", weights(A, 3, B, 1, C, 1)),
                new Step("remove reload-a", weights(B, 1, C, 1)),
                new Step("reload-a back, c=4", weights(A, 1, B, 1, C, 4)),
                new Step("remove reload-b", weights(A, 1, C, 4)));

        long started = System.nanoTime();
        try (ForwarderProcess forwarder = ForwarderProcess.start(config, LOG)) {
            InetSocketAddress listener = new InetSocketAddress("127.0.0.1", forwarder.listenerPort("web"));
            List<LongStream> streams = new ArrayList<>();
            for (int i = 0; i < STREAMS; i++) {
                streams.add(LongStream.open(listener, i, CHUNK, PACE));
            }
            assertThat(streams).extracting(LongStream::backend).containsOnly("reload-a", "reload-b");
            awaitTraffic(streams);

            List<Long> hupToLine = new ArrayList<>();
            for (int i = 0; i < steps.size(); i++) {
                Step step = steps.get(i);
                if (i == 3) {
                    refusedReloadKeepsTheRunningConfig(forwarder, config, listener, steps.get(2));
                }
                write(config, step.weights());
                long hup = System.nanoTime();
                if (i == 1) {
                    // The admin API's reload does the same as SIGHUP, and answers with what changed.
                    HttpResponse<String> reloaded = postReload(forwarder);
                    assertThat(reloaded.statusCode()).as("POST /api/reload: %s", reloaded.body()).isEqualTo(200);
                    assertThat(reloaded.body()).contains("\"reloaded\":true", "weight=1->3");
                } else {
                    forwarder.signal("HUP");
                }
                forwarder.awaitCount("reloaded config=", i + 1, Duration.ofSeconds(20));
                hupToLine.add(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - hup));
                assertNewConnectionsFollow(listener, step);
                awaitTraffic(streams);
            }

            List<LongStream.Result> results = new ArrayList<>();
            for (LongStream stream : streams) {
                results.add(stream.finish(Duration.ofSeconds(60)));
            }
            assertThat(results).allSatisfy(result -> assertThat(result.intact())
                    .as("stream to %s: sent %d (%s), received %d (%s), error %s", result.backend(), result.sent(),
                            result.sentSha256(), result.received(), result.receivedSha256(), result.error())
                    .isTrue());
            assertThat(forwarder.log()).doesNotContain("reason=shutdown", "reason=error", "-reset");
            assertThat(forwarder.stop(Duration.ofSeconds(30))).as("exit status; log in %s", LOG).isZero();

            long bytes = results.stream().mapToLong(LongStream.Result::sent).sum();
            List<Long> took = new ArrayList<>();
            for (Matcher m = TOOK.matcher(forwarder.log()); m.find(); ) {
                took.add(Long.parseLong(m.group(1)));
            }
            String figures = "reload under load: streams=%d intact=%d bytes_each_way=%d (%.1f MiB) reloads=%d refused=1"
                    .formatted(STREAMS, results.stream().filter(LongStream.Result::intact).count(), bytes,
                            bytes / 1048576.0, steps.size())
                    + " reload_took_ms=" + took + " hup_to_log_line_ms=" + hupToLine
                    + " streams_by_backend=" + results.stream().collect(
                            Collectors.groupingBy(LongStream.Result::backend, TreeMap::new, Collectors.counting()))
                    + " test_s=" + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
            log.info(figures);
            Files.writeString(FIGURES, figures + "\n");
        }
    }

    private static HttpResponse<String> postReload(ForwarderProcess forwarder) throws Exception {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build().send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + forwarder.adminPort() + "/api/reload"))
                .header("X-Forwarder-Admin", "1").timeout(Duration.ofSeconds(30))
                .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * A file that does not validate, reloaded through the admin API: refused with 400 and FILE:LINE: KEY in the
     * answer and the log, and the previous step still serves.
     */
    private void refusedReloadKeepsTheRunningConfig(ForwarderProcess forwarder, Path config,
            InetSocketAddress listener, Step running) throws Exception {
        Files.writeString(config, Files.readString(config).replace("strategy = round-robin", "strategy = round-robbin"));
        HttpResponse<String> refused = postReload(forwarder);
        assertThat(refused.statusCode()).as("POST /api/reload of a bad file: %s", refused.body()).isEqualTo(400);
        String reason = config + ":3: forwarder.pools.web.strategy: ";
        assertThat(refused.body()).contains(reason.replace("\\", "\\\\"), "round-robbin");
        forwarder.awaitCount("reload refused config=", 1, Duration.ofSeconds(20));
        assertThat(forwarder.log()).contains("error=\"config error: " + reason + "\"round-robbin\" is not a strategy");
        assertNewConnectionsFollow(listener, running);
    }

    /** Three rounds of the weights' sum: every member and only members answer; the heaviest answers most. */
    private static void assertNewConnectionsFollow(InetSocketAddress listener, Step step) throws IOException {
        int total = step.weights().values().stream().mapToInt(Integer::intValue).sum();
        Map<String, Integer> answers = new TreeMap<>();
        for (int i = 0; i < 3 * total; i++) {
            answers.merge(LongStream.firstLine(listener), 1, Integer::sum);
        }
        Map<String, Integer> expected = new TreeMap<>();
        step.weights().forEach((echo, weight) -> expected.put(name(echo), 3 * weight));
        assertThat(answers.keySet()).as("%s: new connections by backend %s", step.what(), answers)
                .isEqualTo(expected.keySet());
        String heaviest = expected.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
        if (expected.values().stream().filter(v -> v.equals(expected.get(heaviest))).count() == 1) {
            assertThat(answers.get(heaviest)).as("%s: %s", step.what(), answers)
                    .isGreaterThan(answers.values().stream().sorted().toList().get(answers.size() - 2));
        }
    }

    private static void awaitTraffic(List<LongStream> streams) {
        long before = streams.stream().mapToLong(LongStream::sent).sum();
        await("streams carry on").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                .until(() -> streams.stream().mapToLong(LongStream::sent).sum() - before >= BETWEEN_RELOADS);
    }

    private static String name(GenericContainer<?> echo) {
        return echo == A ? "reload-a" : echo == B ? "reload-b" : "reload-c";
    }

    private static Map<GenericContainer<?>, Integer> weights(Object... pairs) {
        Map<GenericContainer<?>, Integer> weights = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            weights.put((GenericContainer<?>) pairs[i], (Integer) pairs[i + 1]);
        }
        return weights;
    }

    private static void write(Path config, Map<GenericContainer<?>, Integer> weights) throws IOException {
        String backends = weights.entrySet().stream()
                .map(e -> "{ address = \"" + HostnameEcho.member(e.getKey()) + "\", weight = " + e.getValue() + " }")
                .collect(Collectors.joining(", "));
        Files.writeString(config, """
                forwarder {
                  shutdown-timeout = 10s
                  pools { web { strategy = round-robin, backends = [ %s ] } }
                  listeners { web { bind = "127.0.0.1:0", pool = web } }
                }
                """.formatted(backends));
    }
}
