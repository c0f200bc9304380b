package dev.forwarder.it.balancer;

import dev.forwarder.balancer.MemberState;
import dev.forwarder.balancer.PoolMember;
import dev.forwarder.it.support.Backends;
import dev.forwarder.it.support.Http;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

import static dev.forwarder.it.support.Backends.HTTP_PORT;
import static dev.forwarder.it.support.Backends.hostAddress;
import static dev.forwarder.it.support.Backends.memberName;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * A paused nginx accepts connections (the kernel and docker-proxy complete the handshake) and never answers: only an
 * active check that waits for an answer sees it. It must be marked down within {@code fall x interval + timeout},
 * get no new connection while down, and come back {@code rise} checks after it is unpaused.
 */
@Testcontainers
class PausedBackendIT {

    private static final Logger log = LoggerFactory.getLogger(PausedBackendIT.class);

    private static final Duration INTERVAL = Duration.ofMillis(500);
    private static final Duration TIMEOUT = Duration.ofMillis(300);
    private static final int FALL = 2;
    private static final int RISE = 2;
    /** For the noisy 2-core machine: container pause/unpause calls, GC, scheduling of checks and of this poll. */
    private static final Duration SLACK = Duration.ofMillis(1500);
    private static final String POOL = "web";

    @Container
    static final GenericContainer<?> NGINX_1 = Backends.nginx("paused-nginx-1");
    @Container
    static final GenericContainer<?> NGINX_2 = Backends.nginx("paused-nginx-2");
    @Container
    static final GenericContainer<?> NGINX_3 = Backends.nginx("paused-nginx-3");

    @AfterEach
    void unpause() {
        Faults.unpauseIfPaused(NGINX_3);
    }

    @Test
    void pausedBackendIsMarkedDownWithinFallChecksAndBackAfterRiseChecks() throws Exception {
        String pool = PoolForwarder.backends(hostAddress(NGINX_1, HTTP_PORT), hostAddress(NGINX_2, HTTP_PORT),
                hostAddress(NGINX_3, HTTP_PORT)) + "\n"
                + "health-check { type = http, path = \"/healthz\", interval = " + INTERVAL.toMillis() + "ms,"
                + " timeout = " + TIMEOUT.toMillis() + "ms, fall = " + FALL + ", rise = " + RISE + ", jitter = 0% }";
        try (PoolForwarder forwarder = PoolForwarder.start(POOL, pool)) {
            InetSocketAddress listener = forwarder.address(POOL);
            PoolMember paused = forwarder.member(POOL, memberName(NGINX_3, HTTP_PORT));
            for (GenericContainer<?> nginx : new GenericContainer<?>[] {NGINX_1, NGINX_2, NGINX_3}) {
                PoolForwarder.awaitState(forwarder.member(POOL, memberName(nginx, HTTP_PORT)), MemberState.UP,
                        Duration.ofSeconds(10));
            }
            assertThat(answersOf(listener, 30)).containsOnlyKeys("paused-nginx-1", "paused-nginx-2",
                    "paused-nginx-3");

            long pausing = System.nanoTime();
            Faults.pause(NGINX_3);
            Duration pauseCall = Duration.ofNanos(System.nanoTime() - pausing);
            PoolForwarder.awaitState(paused, MemberState.DOWN, Duration.ofSeconds(15));
            Duration detection = Duration.ofNanos(System.nanoTime() - pausing);
            Duration detectionBound = INTERVAL.multipliedBy(FALL).plus(TIMEOUT);
            log.info("paused backend marked down detection_ms={} bound_ms={} slack_ms={} pause_call_ms={}",
                    detection.toMillis(), detectionBound.toMillis(), SLACK.toMillis(), pauseCall.toMillis());
            assertThat(detection).as("time from docker pause to DOWN").isLessThanOrEqualTo(detectionBound.plus(SLACK));

            // Each answer names its backend; one sent to the paused nginx would time out and fail the test.
            Map<String, Integer> whileDown = answersOf(listener, 50);
            assertThat(whileDown).containsOnlyKeys("paused-nginx-1", "paused-nginx-2");
            assertThat(whileDown.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(50);
            assertThat(paused.activeConnections()).isZero();
            assertThat(paused.state()).isEqualTo(MemberState.DOWN);

            long unpausing = System.nanoTime();
            Faults.unpause(NGINX_3);
            PoolForwarder.awaitState(paused, MemberState.UP, Duration.ofSeconds(15));
            Duration recovery = Duration.ofNanos(System.nanoTime() - unpausing);
            // The first passing check starts at most one interval after the unpause (or is one already waiting on
            // the paused nginx, answered at the unpause); rise - 1 more intervals follow.
            Duration recoveryBound = INTERVAL.multipliedBy(RISE).plus(TIMEOUT);
            log.info("unpaused backend back up recovery_ms={} bound_ms={} slack_ms={}", recovery.toMillis(),
                    recoveryBound.toMillis(), SLACK.toMillis());
            assertThat(recovery).as("time from docker unpause to UP").isLessThanOrEqualTo(recoveryBound.plus(SLACK));
            // Not after the first passing check: the second starts an interval after a first that may have waited
            // up to the timeout on the paused nginx.
            assertThat(recovery).as("rise = %d checks, %s apart", RISE, INTERVAL)
                    .isGreaterThanOrEqualTo(INTERVAL.multipliedBy(RISE - 1).minus(TIMEOUT));
            assertThat(answersOf(listener, 30)).containsOnlyKeys("paused-nginx-1", "paused-nginx-2",
                    "paused-nginx-3");
        }
    }

    private static Map<String, Integer> answersOf(InetSocketAddress listener, int requests) throws Exception {
        Map<String, Integer> answers = new TreeMap<>();
        for (int i = 0; i < requests; i++) {
            answers.merge(Http.backendOf(listener), 1, Integer::sum);
        }
        return answers;
    }
}
