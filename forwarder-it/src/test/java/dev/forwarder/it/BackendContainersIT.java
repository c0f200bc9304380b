package dev.forwarder.it;

import dev.forwarder.it.support.Backends;
import dev.forwarder.it.support.Http;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

import java.time.Duration;

import static dev.forwarder.it.support.Backends.ECHO_PORT;
import static dev.forwarder.it.support.Backends.HTTP_PORT;
import static dev.forwarder.it.support.Backends.REDIS_PORT;
import static dev.forwarder.it.support.Backends.hostAddress;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The test servers themselves, reached directly without forwarder: when a test through forwarder fails and this
 * one passes, the fault is forwarder's, not the fixture's.
 */
@Testcontainers
class BackendContainersIT {

    @Container
    static final GenericContainer<?> NGINX = Backends.nginx("nginx-direct");
    @Container
    static final GenericContainer<?> REDIS = Backends.redis();
    @Container
    static final GenericContainer<?> ECHO = Backends.echo();

    @Test
    void eachServerAnswersOnItsMappedPort() throws Exception {
        assertThat(Http.get(hostAddress(NGINX, HTTP_PORT), "/").body()).isEqualTo("nginx-direct\n");
        try (RespClient redis = new RespClient(hostAddress(REDIS, REDIS_PORT), Duration.ofSeconds(10))) {
            assertThat(redis.command("PING")).isEqualTo("PONG");
        }
        EchoTransfer.Result echo = EchoTransfer.roundTrip(hostAddress(ECHO, ECHO_PORT), 8 << 20, 1,
                Duration.ofSeconds(60));
        assertThat(echo.received()).isEqualTo(8 << 20);
        assertThat(echo.receivedSha256()).isEqualTo(echo.sentSha256());
    }
}
