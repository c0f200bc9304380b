package dev.forwarder.it;

import com.codahale.metrics.MetricRegistry;
import dev.forwarder.app.Forwarder;
import dev.forwarder.app.config.ConfigLoader;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.stream.Collectors;

/**
 * A forwarder running in the test JVM, configured the way a user would (HOCON through {@link ConfigLoader}), with
 * one listener on an ephemeral loopback port balancing round-robin over the given backends.
 */
final class InProcessForwarder implements AutoCloseable {

    static final String LISTENER = "it";

    private final Forwarder forwarder;

    private InProcessForwarder(Forwarder forwarder) {
        this.forwarder = forwarder;
    }

    static InProcessForwarder roundRobin(List<InetSocketAddress> backends) throws Exception {
        return roundRobin(backends, "");
    }

    /** As {@link #roundRobin(List)}, with {@code extraHocon} (e.g. {@code forwarder.transport = nio}) on top. */
    static InProcessForwarder roundRobin(List<InetSocketAddress> backends, String extraHocon) throws Exception {
        // A short drain: a test that leaves connections hanging should fail, not wait out the default 30 s.
        String hocon = roundRobinConfig("127.0.0.1:0", backends) + "forwarder.shutdown-timeout = 2s\n"
                + extraHocon + "\n";
        return new InProcessForwarder(Forwarder.start(ConfigLoader.parse(hocon, InProcessForwarder.class.getName())));
    }

    /** The HOCON of one listener {@value #LISTENER} bound to {@code bind} in front of a round-robin pool. */
    static String roundRobinConfig(String bind, List<InetSocketAddress> backends) {
        String addresses = backends.stream()
                .map(b -> '"' + b.getHostString() + ':' + b.getPort() + '"')
                .collect(Collectors.joining(", "));
        return "forwarder {\n"
                + "  listeners { " + LISTENER + " { bind = \"" + bind + "\", pool = " + LISTENER + " } }\n"
                + "  pools { " + LISTENER + " { strategy = round-robin, backends = [ " + addresses + " ] } }\n"
                + "}\n";
    }

    /** Where clients connect: the listener's actual address on the loopback. */
    InetSocketAddress address() {
        return forwarder.listenerAddress(LISTENER);
    }

    MetricRegistry metrics() {
        return forwarder.metrics();
    }

    @Override
    public void close() {
        forwarder.close();
    }
}
