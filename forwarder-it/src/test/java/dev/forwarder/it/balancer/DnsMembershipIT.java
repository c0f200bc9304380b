package dev.forwarder.it.balancer;

import dev.forwarder.it.support.Backends;
import dev.forwarder.it.support.Http;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A pool whose one backend is a hostname, {@code web:80}, that Docker's embedded DNS resolves to every container
 * with the network alias {@code web}. That DNS answers only inside containers on a user-defined network, so the
 * packaged jar runs in a container on that network; the test talks to it through its published port. A container
 * that joins the alias becomes a member within a few {@code resolve-interval}s; one that leaves costs no client
 * request.
 */
class DnsMembershipIT {

    private static final Logger log = LoggerFactory.getLogger(DnsMembershipIT.class);
    private static final Duration RESOLVE_INTERVAL = Duration.ofSeconds(1);
    /** Five re-resolutions: generous for a 2-core machine, far below the JVM's default 30 s address cache. */
    private static final Duration MEMBERSHIP_BOUND = RESOLVE_INTERVAL.multipliedBy(5);
    private static final String POOL = "web";
    private static final String POOL_HOCON = """
            strategy = round-robin
            backends = [ "web:80" ]
            resolve-interval = %dms
            connect-timeout = 1s, connect-tries = 3, connect-deadline = 5s
            max-fails = 1, fail-timeout = 2s
            """.formatted(RESOLVE_INTERVAL.toMillis());

    private static final Network NETWORK = Network.newNetwork();
    private static final List<GenericContainer<?>> started = new ArrayList<>();

    private static GenericContainer<?> forwarder;
    private static InetSocketAddress forwarderAddress;

    @BeforeAll
    static void startForwarderInContainer() {
        // forwarder resolves web at start, so the alias must answer before it runs.
        start(nginx("dns-nginx-1"));
        forwarder = start(ForwarderContainer.create(NETWORK, POOL, POOL_HOCON));
        forwarderAddress = ForwarderContainer.listenerAddress(forwarder);
    }

    @AfterAll
    static void stopContainers() {
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).stop();
        }
        NETWORK.close();
    }

    @Test
    void containerJoiningTheAliasBecomesAMemberAndOneLeavingFailsNoRequest() throws Exception {
        assertThat(answersOf(20)).containsOnlyKeys("dns-nginx-1");

        GenericContainer<?> second = start(nginx("dns-nginx-2"));
        long joined = System.nanoTime();
        await("dns-nginx-2 answering through forwarder").atMost(MEMBERSHIP_BOUND)
                .pollInterval(Duration.ofMillis(50))
                .until(() -> Http.backendOf(forwarderAddress).equals("dns-nginx-2"));
        log.info("dns member added after_ms={} resolve_interval_ms={} bound_ms={}",
                (System.nanoTime() - joined) / 1_000_000, RESOLVE_INTERVAL.toMillis(), MEMBERSHIP_BOUND.toMillis());
        assertThat(answersOf(40)).containsOnlyKeys("dns-nginx-1", "dns-nginx-2");

        // Leaving: stopped (connects to its address fail and are retried on dns-nginx-1) and gone from DNS.
        Faults.stop(second, 10);
        long left = System.nanoTime();
        int requests = 0;
        Map<String, Integer> afterLeaving = new TreeMap<>();
        while (System.nanoTime() - left < MEMBERSHIP_BOUND.toNanos()) {
            afterLeaving.merge(Http.backendOf(forwarderAddress), 1, Integer::sum);
            requests++;
        }
        log.info("dns member left: requests={} all answered, answers={}", requests, afterLeaving);
        assertThat(afterLeaving).containsOnlyKeys("dns-nginx-1");
        // forwarder's own word that the address vanished from DNS, not only that its connects failed.
        await("forwarder logging the member gone from DNS").atMost(MEMBERSHIP_BOUND)
                .until(() -> forwarder.getLogs().contains("reason=dns host=web gone=true"));
    }

    private static GenericContainer<?> nginx(String hostName) {
        return Backends.nginx(hostName).withNetwork(NETWORK).withNetworkAliases("web");
    }

    private static GenericContainer<?> start(GenericContainer<?> container) {
        started.add(container);
        container.start();
        return container;
    }

    private static Map<String, Integer> answersOf(int requests) throws Exception {
        Map<String, Integer> answers = new TreeMap<>();
        for (int i = 0; i < requests; i++) {
            answers.merge(Http.backendOf(forwarderAddress), 1, Integer::sum);
        }
        return answers;
    }
}
