package dev.forwarder.it;

import dev.forwarder.it.support.Backends;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

import java.time.Duration;
import java.util.List;
import java.util.Random;

import static dev.forwarder.it.support.Backends.REDIS_PORT;
import static dev.forwarder.it.support.Backends.hostAddress;
import static org.assertj.core.api.Assertions.assertThat;

/** A request/response protocol whose framing must survive the relay byte for byte. */
@Testcontainers
class RedisThroughForwarderIT {

    @Container
    static final GenericContainer<?> REDIS = Backends.redis();

    @Test
    void pingsAndStoresAndReadsBackAOneMebibyteValue() throws Exception {
        byte[] value = new byte[1 << 20];
        new Random(2).nextBytes(value);
        try (InProcessForwarder forwarder = InProcessForwarder.roundRobin(List.of(hostAddress(REDIS, REDIS_PORT)));
             RespClient redis = new RespClient(forwarder.address(), Duration.ofSeconds(10))) {
            assertThat(redis.command("PING")).isEqualTo("PONG");
            assertThat(redis.command("SET", "it:big", value)).isEqualTo("OK");
            assertThat(redis.command("STRLEN", "it:big")).isEqualTo((long) value.length);
            assertThat(redis.command("GET", "it:big")).isEqualTo(value);
        }
    }
}
