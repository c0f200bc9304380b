package dev.forwarder.it;

import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

@Testcontainers
class ContainerSmokeIT {

    @Container
    static final GenericContainer<?> NGINX = ServerContainers.nginx("nginx-smoke");
    @Container
    static final GenericContainer<?> REDIS = ServerContainers.redis();
    @Container
    static final GenericContainer<?> ECHO = ServerContainers.echo();

    @Test
    void serversAnswerDirectly() throws Exception {
        assertThat(HttpProbe.get(ServerContainers.hostAddress(NGINX, ServerContainers.HTTP_PORT), "/").body())
                .isEqualTo("nginx-smoke\n");
        try (RespClient redis = new RespClient(ServerContainers.hostAddress(REDIS, ServerContainers.REDIS_PORT),
                Duration.ofSeconds(10))) {
            assertThat(redis.command("PING")).isEqualTo("PONG");
        }
        EchoTransfer.Result echo = EchoTransfer.roundTrip(ServerContainers.hostAddress(ECHO, ServerContainers.ECHO_PORT),
                8 << 20, 1, Duration.ofSeconds(60));
        assertThat(echo.receivedSha256()).isEqualTo(echo.sentSha256());
    }
}
