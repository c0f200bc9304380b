package dev.forwarder.it.balancer;

import dev.forwarder.it.support.Backends;
import dev.forwarder.it.support.TestImages;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.containers.GenericContainer;
import org.testcontainers.containers.Network;
import org.testcontainers.containers.wait.strategy.Wait;
import org.testcontainers.images.builder.Transferable;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A member whose address vanishes from DNS drains: it gets no new connection, its open connection keeps relaying
 * until the client ends it, and only then does it leave the pool. Docker cannot take a network alias from a running
 * container without taking its address (and so its connections) too, so the records come from a dnsmasq on the
 * network that the test edits; forwarder, in a container, asks Docker's embedded DNS, which forwards names it does
 * not own to that dnsmasq ({@code --dns}). The addresses in the records are the echo containers' own, used only on
 * that network, never from the host.
 */
class DnsDrainIT {

    private static final String HOST = "drain.test";
    private static final String HOSTS_FILE = "/etc/dnsmasq-hosts/backends";
    private static final Duration RESOLVE_INTERVAL = Duration.ofMillis(500);
    /** Ten re-resolutions. */
    private static final Duration DNS_BOUND = RESOLVE_INTERVAL.multipliedBy(10);
    private static final String POOL = "drain";
    private static final String POOL_HOCON = """
            strategy = round-robin
            backends = [ "%s:%d" ]
            resolve-interval = %dms
            """.formatted(HOST, Backends.ECHO_PORT, RESOLVE_INTERVAL.toMillis());

    private static final Network NETWORK = Network.newNetwork();
    private static final GenericContainer<?> DNS = new GenericContainer<>(TestImages.DNSMASQ)
            .withNetwork(NETWORK)
            .waitingFor(Wait.forLogMessage(".*started, version.*\\n", 1).withStartupTimeout(Duration.ofSeconds(60)));
    private static final GenericContainer<?> ECHO_1 = Backends.hostnameEcho("drain-echo-1").withNetwork(NETWORK);
    private static final GenericContainer<?> ECHO_2 = Backends.hostnameEcho("drain-echo-2").withNetwork(NETWORK);
    private static GenericContainer<?> forwarder;
    private static InetSocketAddress listener;

    @BeforeAll
    static void start() throws Exception {
        Stream.of(DNS, ECHO_1, ECHO_2).parallel().forEach(GenericContainer::start);
        // forwarder resolves the name at start: the records first.
        publish(ECHO_1, ECHO_2);
        String dnsAddress = networkAddress(DNS);
        forwarder = ForwarderContainer.create(NETWORK, POOL, POOL_HOCON)
                .withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withDns(dnsAddress));
        forwarder.start();
        listener = ForwarderContainer.listenerAddress(forwarder);
    }

    @AfterAll
    static void stop() {
        Stream.of(forwarder, ECHO_1, ECHO_2, DNS).filter(Objects::nonNull).forEach(GenericContainer::stop);
        NETWORK.close();
    }

    @Test
    void addressGoneFromDnsDrainsItsOpenConnectionThenLeaves() throws Exception {
        List<Socket> opened = new ArrayList<>();
        Socket held = null;
        try {
            // Round-robin over the two addresses: within a few connections one lands on drain-echo-2.
            for (int i = 0; i < 4 && held == null; i++) {
                Socket socket = open();
                opened.add(socket);
                if (EchoLines.readLine(socket).equals("drain-echo-2")) {
                    held = socket;
                }
            }
            assertThat(held).as("a connection to drain-echo-2").isNotNull();
            for (Socket socket : opened) {
                if (socket != held) {
                    socket.close();
                }
            }
            assertThat(EchoLines.echo(held, "before")).isEqualTo("before");

            publish(ECHO_1);
            await("drain-echo-2's address gone from DNS").atMost(DNS_BOUND)
                    .until(() -> forwarder.getLogs().contains("gone=true active=1"));
            for (int i = 0; i < 10; i++) {
                try (Socket socket = open()) {
                    assertThat(EchoLines.readLine(socket)).as("new connection %d while drain-echo-2 drains", i)
                            .isEqualTo("drain-echo-1");
                }
            }
            assertThat(EchoLines.echo(held, "while draining")).as("the draining member's open connection still relays")
                    .isEqualTo("while draining");
            assertThat(forwarder.getLogs()).as("a member with an open connection stays until it ends")
                    .doesNotContain("reason=drained");

            held.close();
            await("drained member leaving the pool").atMost(Duration.ofSeconds(5))
                    .until(() -> forwarder.getLogs().contains("reason=drained"));

            publish(ECHO_1, ECHO_2);
            await("drain-echo-2 back as a member").atMost(DNS_BOUND).pollInterval(Duration.ofMillis(50))
                    .until(() -> {
                        try (Socket socket = open()) {
                            return EchoLines.readLine(socket).equals("drain-echo-2");
                        }
                    });
        } finally {
            for (Socket socket : opened) {
                socket.close();
            }
        }
    }

    /** Makes {@value #HOST} resolve to exactly these containers' addresses on the network. */
    private static void publish(GenericContainer<?>... backends) throws Exception {
        StringBuilder hosts = new StringBuilder();
        for (GenericContainer<?> backend : backends) {
            hosts.append(networkAddress(backend)).append(' ').append(HOST).append('\n');
        }
        DNS.copyFileToContainer(Transferable.of(hosts.toString()), HOSTS_FILE);
        ExecResult reload = DNS.execInContainer("sh", "-c", "kill -HUP 1");
        assertThat(reload.getExitCode()).as("dnsmasq reload: %s", reload.getStderr()).isZero();
    }

    /** The container's address on the test network: for records that only containers on it use. */
    private static String networkAddress(GenericContainer<?> container) {
        return container.getContainerInfo().getNetworkSettings().getNetworks().values().iterator().next()
                .getIpAddress();
    }

    private static Socket open() throws IOException {
        return EchoLines.open(listener);
    }
}
