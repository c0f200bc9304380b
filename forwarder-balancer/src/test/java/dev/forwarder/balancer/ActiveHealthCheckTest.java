package dev.forwarder.balancer;

import dev.forwarder.balancer.health.HealthCheckSettings;
import dev.forwarder.balancer.health.HealthCheckType;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;

import static dev.forwarder.balancer.CheckLoops.check;
import static dev.forwarder.balancer.CheckLoops.local;
import static dev.forwarder.balancer.CheckLoops.settings;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.awaitility.Awaitility.setDefaultPollInterval;

/** Active checks against real sockets on 127.0.0.1: what each type sees and how fast. */
class ActiveHealthCheckTest {

    private static final Logger log = LoggerFactory.getLogger(ActiveHealthCheckTest.class);
    private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40000);
    private static final long INTERVAL_MS = 100;
    private static final long TIMEOUT_MS = 100;
    private static final int RISE = 2;
    private static final int FALL = 3;
    /** fall x interval + timeout, plus slack for a loaded machine. */
    private static final Duration DETECTION_BOUND = Duration.ofMillis(FALL * INTERVAL_MS + TIMEOUT_MS + 1_000);

    private final CheckLoops loops = new CheckLoops();

    @org.junit.jupiter.api.BeforeAll
    static void pollOften() {
        // Awaitility's default 100 ms would blur the detection times this test logs.
        setDefaultPollInterval(Duration.ofMillis(5));
    }

    @org.junit.jupiter.api.AfterAll
    static void pollAsUsual() {
        org.awaitility.Awaitility.reset();
    }

    @AfterEach
    void stopLoops() {
        loops.close();
    }

    private Pool started(HealthCheckType type, int... ports) {
        List<BackendSpec> specs = java.util.Arrays.stream(ports).mapToObj(CheckLoops::local).toList();
        Pool pool = loops.pool("checked", settings(check(type, INTERVAL_MS, TIMEOUT_MS, RISE, FALL)), specs).build();
        pool.start();
        return pool;
    }

    @Test
    void sendExpectMarksAPausedBackendDownWithinFallIntervalsAndUpAgainAfterRise() {
        try (ReplyServer server = new ReplyServer("+PONG\r\n"); Pool pool = started(HealthCheckType.SEND_EXPECT,
                server.port())) {
            PoolMember member = pool.members().get(0);
            await().atMost(Duration.ofSeconds(5)).until(() -> member.state() == MemberState.UP);

            server.pause();
            long paused = System.nanoTime();
            await().atMost(DETECTION_BOUND).until(() -> member.state() == MemberState.DOWN);
            long detectedMs = (System.nanoTime() - paused) / 1_000_000;
            assertThat(pool.choose(CLIENT, List.of())).isNull();

            server.resume();
            long resumed = System.nanoTime();
            await().atMost(Duration.ofMillis(RISE * INTERVAL_MS + TIMEOUT_MS + 1_000))
                    .until(() -> member.state() == MemberState.UP);
            long recoveredMs = (System.nanoTime() - resumed) / 1_000_000;
            log.info("send-expect paused backend: down after {} ms (bound {} ms), up after {} ms", detectedMs,
                    FALL * INTERVAL_MS + TIMEOUT_MS, recoveredMs);
            assertThat(member.healthCheckFailures()).isGreaterThanOrEqualTo(FALL);
        }
    }

    @Test
    void httpCheckMarksAPausedBackendDownAndBack() {
        try (ReplyServer server = ReplyServer.http(200); Pool pool = started(HealthCheckType.HTTP, server.port())) {
            PoolMember member = pool.members().get(0);
            await().atMost(Duration.ofSeconds(5)).until(() -> member.state() == MemberState.UP);
            server.pause();
            await().atMost(DETECTION_BOUND).until(() -> member.state() == MemberState.DOWN);
            server.resume();
            await().atMost(Duration.ofSeconds(3)).until(() -> member.state() == MemberState.UP);
        }
    }

    @Test
    void httpCheckFailsOnAStatusOutsideTheRange() {
        try (ReplyServer server = ReplyServer.http(200); Pool pool = started(HealthCheckType.HTTP, server.port())) {
            PoolMember member = pool.members().get(0);
            await().atMost(Duration.ofSeconds(5)).until(() -> member.state() == MemberState.UP);
            server.reply(ReplyServer.httpReply(503));
            await().atMost(DETECTION_BOUND).until(() -> member.state() == MemberState.DOWN);
            server.reply(ReplyServer.httpReply(302));
            await().atMost(Duration.ofSeconds(3)).until(() -> member.state() == MemberState.UP);
        }
    }

    @Test
    void sendExpectFailsWhenTheReplyDoesNotMatch() {
        try (ReplyServer server = new ReplyServer("-ERR loading\r\n");
                Pool pool = started(HealthCheckType.SEND_EXPECT, server.port())) {
            PoolMember member = pool.members().get(0);
            await().atMost(Duration.ofSeconds(3)).until(() -> member.healthCheckFailures() >= 3);
            assertThat(member.state()).isEqualTo(MemberState.DOWN);
            assertThat(member.healthCheckPasses()).isZero();
            server.reply("+PONG\r\n");
            await().atMost(Duration.ofSeconds(3)).until(() -> member.state() == MemberState.UP);
            // Up after rise passes; each counted (the metrics' health-check results).
            assertThat(member.healthCheckPasses()).isGreaterThanOrEqualTo(RISE);
        }
    }

    @Test
    void sendExpectRegexMatchesTheReply() throws Exception {
        HealthCheckSettings regex = new HealthCheckSettings(HealthCheckType.SEND_EXPECT, Duration.ofMillis(100),
                Duration.ofMillis(200), 1, 1, 10, "INFO\r\n", "", "role:(master|primary)", "/", 200, 399,
                MemberState.DOWN);
        try (ReplyServer server = new ReplyServer("$20\r\nrole:replica\r\n")) {
            Pool pool = loops.pool("regex", settings(regex), List.of(local(server.port()))).build();
            pool.start();
            PoolMember member = pool.members().get(0);
            await().atMost(Duration.ofSeconds(3)).until(() -> member.healthCheckFailures() >= 2);
            assertThat(member.state()).isEqualTo(MemberState.DOWN);
            server.reply("$20\r\nrole:master\r\n");
            await().atMost(Duration.ofSeconds(3)).until(() -> member.state() == MemberState.UP);
            pool.close();
        }
    }

    @Test
    void tcpCheckMarksAClosedPortDownAndAReopenedOneUp() throws Exception {
        ServerSocket socket = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        int port = socket.getLocalPort();
        try (Pool pool = started(HealthCheckType.TCP, port)) {
            PoolMember member = pool.members().get(0);
            await().atMost(Duration.ofSeconds(3)).until(() -> member.state() == MemberState.UP);
            socket.close();
            long closed = System.nanoTime();
            await().atMost(DETECTION_BOUND).until(() -> member.state() == MemberState.DOWN);
            log.info("tcp check, closed port: down after {} ms (bound {} ms)", (System.nanoTime() - closed) / 1_000_000,
                    FALL * INTERVAL_MS + TIMEOUT_MS);
            socket = new ServerSocket();
            socket.setReuseAddress(true);
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            await().atMost(Duration.ofSeconds(3)).until(() -> member.state() == MemberState.UP);
        } finally {
            socket.close();
        }
    }

    @Test
    void tcpCheckCannotSeeAPausedProcessButSendExpectCan() throws IOException {
        // A socket that listens but is never accepted from: the kernel completes every handshake anyway.
        try (ServerSocket paused = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                Pool tcp = started(HealthCheckType.TCP, paused.getLocalPort());
                Pool sendExpect = loops.pool("s", settings(check(HealthCheckType.SEND_EXPECT, INTERVAL_MS,
                        TIMEOUT_MS, RISE, FALL)).withHealthCheck(withInitialUp(check(HealthCheckType.SEND_EXPECT,
                        INTERVAL_MS, TIMEOUT_MS, RISE, FALL))), List.of(local(paused.getLocalPort()))).build()) {
            sendExpect.start();
            await().atMost(Duration.ofSeconds(3)).until(() -> tcp.members().get(0).state() == MemberState.UP);
            await().atMost(DETECTION_BOUND)
                    .until(() -> sendExpect.members().get(0).state() == MemberState.DOWN);
            assertThat(tcp.members().get(0).state()).isEqualTo(MemberState.UP);
        }
    }

    @Test
    void initialStateDownGivesNoTrafficBeforeRiseChecks() {
        try (ReplyServer server = ReplyServer.http(200)) {
            HealthCheckSettings slow = check(HealthCheckType.HTTP, 60_000, 1_000, 1, 1);
            Pool pool = loops.pool("initial", settings(slow), List.of(local(server.port()))).build();
            assertThat(pool.members().get(0).state()).isEqualTo(MemberState.DOWN);
            assertThat(pool.available()).isFalse();
            assertThat(pool.choose(CLIENT, List.of())).isNull();
            pool.start();
            await().atMost(Duration.ofSeconds(3)).until(pool::available);
            assertThat(pool.choose(CLIENT, List.of())).isSameAs(pool.members().get(0));
            pool.close();
        }
    }

    @Test
    void initialStateUpGivesTrafficAtOnceUntilChecksFail() throws IOException {
        ServerSocket closed = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        int port = closed.getLocalPort();
        closed.close();
        HealthCheckSettings up = withInitialUp(check(HealthCheckType.TCP, INTERVAL_MS, TIMEOUT_MS, RISE, FALL));
        try (Pool pool = loops.pool("initial-up", settings(up), List.of(local(port))).build()) {
            assertThat(pool.members().get(0).state()).isEqualTo(MemberState.UP);
            assertThat(pool.choose(CLIENT, List.of())).isNotNull();
            pool.start();
            await().atMost(DETECTION_BOUND).until(() -> pool.members().get(0).state() == MemberState.DOWN);
        }
    }

    @Test
    void onlyTheFailingMemberGoesDown() {
        try (ReplyServer good = ReplyServer.http(200); ReplyServer bad = ReplyServer.http(500);
                Pool pool = started(HealthCheckType.HTTP, good.port(), bad.port())) {
            await().atMost(Duration.ofSeconds(3)).until(() -> pool.members().get(0).state() == MemberState.UP);
            await().atMost(Duration.ofSeconds(3)).until(() -> bad.requests() >= RISE + 1);
            assertThat(pool.members().get(1).state()).isEqualTo(MemberState.DOWN);
            for (int i = 0; i < 10; i++) {
                assertThat(pool.choose(CLIENT, List.of())).isSameAs(pool.members().get(0));
            }
        }
    }

    static HealthCheckSettings withInitialUp(HealthCheckSettings s) {
        return new HealthCheckSettings(s.type(), s.interval(), s.timeout(), s.rise(), s.fall(), s.jitterPercent(),
                s.send(), s.expect(), s.expectRegex(), s.path(), s.expectStatusMin(), s.expectStatusMax(),
                MemberState.UP);
    }
}
