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
import java.util.Arrays;
import java.util.Locale;

import static dev.forwarder.it.support.Backends.HTTP_PORT;
import static dev.forwarder.it.support.Backends.hostAddress;
import static dev.forwarder.it.support.Backends.memberName;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Slow start: a backend that comes back after being down ramps its weight up over {@code slow-start}, so its share
 * of new connections starts well below its fair half and grows to it. Measured in windows of a client loop that
 * starts the moment the member is up again.
 */
@Testcontainers
class SlowStartIT {

    private static final Logger log = LoggerFactory.getLogger(SlowStartIT.class);
    private static final String POOL = "web";
    private static final Duration SLOW_START = Duration.ofSeconds(6);
    private static final Duration WINDOW = Duration.ofMillis(1500);
    /** Four windows of ramp, one after it. */
    private static final int WINDOWS = 5;

    @Container
    static final GenericContainer<?> NGINX_A = Backends.nginx("slow-nginx-a");
    @Container
    static final GenericContainer<?> NGINX_B = Backends.nginx("slow-nginx-b");

    @AfterEach
    void unpause() {
        Faults.unpauseIfPaused(NGINX_B);
    }

    @Test
    void returningBackendsShareOfNewConnectionsRampsUp() throws Exception {
        String pool = "strategy = round-robin\n"
                + PoolForwarder.backends(hostAddress(NGINX_A, HTTP_PORT), hostAddress(NGINX_B, HTTP_PORT)) + "\n"
                + "slow-start = " + SLOW_START.toSeconds() + "s\n"
                + "health-check { type = http, path = \"/healthz\", interval = 250ms, timeout = 250ms, fall = 2,"
                + " rise = 1, jitter = 0% }";
        try (PoolForwarder forwarder = PoolForwarder.start(POOL, pool)) {
            InetSocketAddress listener = forwarder.address(POOL);
            PoolMember a = forwarder.member(POOL, memberName(NGINX_A, HTTP_PORT));
            PoolMember b = forwarder.member(POOL, memberName(NGINX_B, HTTP_PORT));
            // The first time up is not a return: no ramp then.
            PoolForwarder.awaitMember(a, m -> m.state() == MemberState.UP && m.effectiveWeight() == 1.0,
                    "up at full weight", Duration.ofSeconds(10));
            PoolForwarder.awaitMember(b, m -> m.state() == MemberState.UP && m.effectiveWeight() == 1.0,
                    "up at full weight", Duration.ofSeconds(10));

            Faults.pause(NGINX_B);
            PoolForwarder.awaitState(b, MemberState.DOWN, Duration.ofSeconds(10));
            Faults.unpause(NGINX_B);
            PoolForwarder.awaitState(b, MemberState.UP, Duration.ofSeconds(10));

            long start = System.nanoTime();
            int[] toB = new int[WINDOWS];
            int[] total = new int[WINDOWS];
            double[] weightAtStart = new double[WINDOWS];
            for (int window = 0; window < WINDOWS; window++) {
                weightAtStart[window] = b.effectiveWeight();
                long end = start + WINDOW.multipliedBy(window + 1).toNanos();
                while (System.nanoTime() < end) {
                    String backend = Http.backendOf(listener);
                    total[window]++;
                    if (backend.equals("slow-nginx-b")) {
                        toB[window]++;
                    }
                }
            }
            double[] share = new double[WINDOWS];
            StringBuilder report = new StringBuilder();
            for (int window = 0; window < WINDOWS; window++) {
                share[window] = toB[window] / (double) total[window];
                report.append(String.format(Locale.ROOT, " w%d=%.1f%%(%d/%d,weight@start=%.2f)", window,
                        100 * share[window], toB[window], total[window], weightAtStart[window]));
            }
            log.info("slow start share of returning backend slow_start_ms={} window_ms={}{}", SLOW_START.toMillis(),
                    WINDOW.toMillis(), report);

            assertThat(Arrays.stream(total).min().orElseThrow()).as("fewest requests in a window").isGreaterThan(50);
            assertThat(share[0]).as("share in the first %s after coming back", WINDOW).isLessThan(0.35);
            assertThat(share[0]).as("first window below the third").isLessThan(share[2]);
            assertThat(share[2]).as("third window below the last").isLessThan(share[WINDOWS - 1]);
            assertThat(share[WINDOWS - 1]).as("share once the ramp is over (fair: 50%%)").isBetween(0.4, 0.6);
        }
    }
}
