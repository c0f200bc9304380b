package dev.forwarder.it.balancer;

import dev.forwarder.balancer.MemberState;
import dev.forwarder.balancer.PoolMember;
import dev.forwarder.it.support.Backends;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;

import static dev.forwarder.it.support.Backends.REDIS_PORT;
import static dev.forwarder.it.support.Backends.hostAddress;
import static dev.forwarder.it.support.Backends.memberName;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * send-expect checks against a real redis-server: {@code PING\r\n} answered by {@code +PONG} marks it up, a paused
 * redis (connect accepted, no answer) is marked down, and a check that expects the wrong answer never lets it up.
 */
@Testcontainers
class SendExpectCheckIT {

    private static final String PONG = "pong";
    private static final String NOPE = "nope";
    private static final String CHECK = "interval = 300ms, timeout = 200ms, fall = 2, rise = 2";

    @Container
    static final GenericContainer<?> REDIS = Backends.redis();

    @AfterEach
    void unpause() {
        Faults.unpauseIfPaused(REDIS);
    }

    @Test
    void redisAnsweringPongIsUpPausedIsDownAndWrongExpectNeverUp() throws Exception {
        String backends = PoolForwarder.backends(hostAddress(REDIS, REDIS_PORT)) + "\n";
        Map<String, String> pools = Map.of(
                PONG, backends + "health-check { type = send-expect, send = \"PING\\r\\n\", expect = \"+PONG\", "
                        + CHECK + " }",
                NOPE, backends + "health-check { type = send-expect, send = \"PING\\r\\n\", expect = \"+NOPE\", "
                        + CHECK + " }");
        try (PoolForwarder forwarder = PoolForwarder.start(pools)) {
            PoolMember pong = forwarder.member(PONG, memberName(REDIS, REDIS_PORT));
            PoolMember nope = forwarder.member(NOPE, memberName(REDIS, REDIS_PORT));

            PoolForwarder.awaitState(pong, MemberState.UP, Duration.ofSeconds(10));
            try (RedisPing client = new RedisPing(forwarder.address(PONG))) {
                assertThat(client.ping()).isEqualTo("+PONG");
            }

            Faults.pause(REDIS);
            PoolForwarder.awaitState(pong, MemberState.DOWN, Duration.ofSeconds(10));
            Faults.unpause(REDIS);
            PoolForwarder.awaitState(pong, MemberState.UP, Duration.ofSeconds(10));

            // The wrong expectation: its checks run (and fail) all along, and the member is never up.
            await("failed checks of the +NOPE pool").atMost(Duration.ofSeconds(10))
                    .until(() -> nope.healthCheckFailures() >= 10);
            assertThat(nope.state()).isEqualTo(MemberState.DOWN);
            // Nothing to relay to: the client is closed without a byte.
            try (Socket socket = new Socket()) {
                socket.connect(forwarder.address(NOPE), 5_000);
                socket.setSoTimeout(5_000);
                assertThat(socket.getInputStream().read()).isEqualTo(-1);
            }
        }
    }

    /** One connection sending inline {@code PING}s, as redis-cli would. */
    private static final class RedisPing implements AutoCloseable {

        private final Socket socket = new Socket();

        RedisPing(InetSocketAddress target) throws Exception {
            socket.connect(target, 5_000);
            socket.setSoTimeout(5_000);
        }

        String ping() throws Exception {
            socket.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = socket.getInputStream();
            StringBuilder line = new StringBuilder();
            for (int c; (c = in.read()) != '\r'; ) {
                assertThat(c).as("reply so far: %s", line).isNotNegative();
                line.append((char) c);
            }
            return line.toString();
        }

        @Override
        public void close() throws Exception {
            socket.close();
        }
    }
}
