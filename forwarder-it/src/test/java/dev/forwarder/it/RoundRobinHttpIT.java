package dev.forwarder.it;

import dev.forwarder.app.metrics.MetricNames;
import dev.forwarder.it.support.Backends;
import dev.forwarder.it.support.Http;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static dev.forwarder.it.support.Backends.HTTP_PORT;
import static dev.forwarder.it.support.Backends.hostAddress;
import static org.assertj.core.api.Assertions.assertThat;

/** Three nginx behind a round-robin pool: each new connection goes to the next backend. */
@Testcontainers
class RoundRobinHttpIT {

    @Container
    static final GenericContainer<?> NGINX_1 = Backends.nginx("nginx-1");
    @Container
    static final GenericContainer<?> NGINX_2 = Backends.nginx("nginx-2");
    @Container
    static final GenericContainer<?> NGINX_3 = Backends.nginx("nginx-3");

    @Test
    void splitsThreeHundredRequestsEvenlyOverThreeNginx() throws Exception {
        List<InetSocketAddress> backends = List.of(
                hostAddress(NGINX_1, HTTP_PORT), hostAddress(NGINX_2, HTTP_PORT), hostAddress(NGINX_3, HTTP_PORT));
        Map<String, Integer> answersByBackend = new TreeMap<>();
        try (InProcessForwarder forwarder = InProcessForwarder.roundRobin(backends)) {
            for (int i = 0; i < 300; i++) {
                Http.Answer answer = Http.get(forwarder.address(), "/request/" + i);
                assertThat(answer.status()).as("status of request %d", i).isEqualTo(200);
                answersByBackend.merge(answer.body().strip(), 1, Integer::sum);
            }
            assertThat(forwarder.metrics()
                    .meter(MetricNames.listener(InProcessForwarder.LISTENER, MetricNames.ACCEPTED)).getCount())
                    .isEqualTo(300);
        }
        assertThat(answersByBackend).containsExactly(
                Map.entry("nginx-1", 100), Map.entry("nginx-2", 100), Map.entry("nginx-3", 100));
    }
}
