package dev.forwarder.it.balancer;

import dev.forwarder.balancer.MemberState;
import dev.forwarder.balancer.PoolMember;
import dev.forwarder.it.support.Backends;
import dev.forwarder.it.support.Http;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

import java.time.Duration;
import java.util.Map;

import static dev.forwarder.it.support.Backends.HTTP_PORT;
import static dev.forwarder.it.support.Backends.hostAddress;
import static dev.forwarder.it.support.Backends.memberName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * http checks against a real nginx: a path answering 200 marks it up; a path answering 503 keeps it down under the
 * default expected statuses (200-399) and marks it up when the pool expects exactly that status.
 */
@Testcontainers
class HttpCheckIT {

    private static final String HEALTHY = "healthz";
    private static final String FAILING = "down";
    private static final String EXPECTS_503 = "expects503";
    private static final String CHECK = "type = http, interval = 300ms, timeout = 200ms, fall = 2, rise = 2";

    @Container
    static final GenericContainer<?> NGINX = Backends.nginx("check-nginx");

    @Test
    void pathAnswering200IsUpAndPathAnswering503StaysDown() throws Exception {
        String backends = PoolForwarder.backends(hostAddress(NGINX, HTTP_PORT)) + "\n";
        Map<String, String> pools = Map.of(
                HEALTHY, backends + "health-check { " + CHECK + ", path = \"/healthz\" }",
                FAILING, backends + "health-check { " + CHECK + ", path = \"/down\" }",
                EXPECTS_503, backends + "health-check { " + CHECK + ", path = \"/down\", expect-status = [503, 503] }");
        try (PoolForwarder forwarder = PoolForwarder.start(pools)) {
            PoolMember healthy = forwarder.member(HEALTHY, memberName(NGINX, HTTP_PORT));
            PoolMember failing = forwarder.member(FAILING, memberName(NGINX, HTTP_PORT));
            PoolMember expects503 = forwarder.member(EXPECTS_503, memberName(NGINX, HTTP_PORT));

            PoolForwarder.awaitState(healthy, MemberState.UP, Duration.ofSeconds(10));
            PoolForwarder.awaitState(expects503, MemberState.UP, Duration.ofSeconds(10));
            assertThat(Http.backendOf(forwarder.address(HEALTHY))).isEqualTo("check-nginx");

            await("failed checks of /down").atMost(Duration.ofSeconds(10))
                    .until(() -> failing.healthCheckFailures() >= 10);
            assertThat(failing.state()).isEqualTo(MemberState.DOWN);
            assertThat(healthy.state()).isEqualTo(MemberState.UP);
        }
    }
}
