package dev.forwarder.app.demo;

import dev.forwarder.app.Forwarder;
import dev.forwarder.app.config.ConfigLoader;
import dev.forwarder.app.config.ForwarderConfig;
import dev.forwarder.core.ListenerBindException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * Three {@link DemoBackend}s and a forwarder listener balancing round-robin over them, configured through the
 * same HOCON path as {@code run}. If the requested port is busy, the listener takes a free one instead.
 */
public final class Demo implements AutoCloseable {

    public static final String LISTENER = "demo";
    public static final int BACKENDS = 3;

    private static final Logger log = LoggerFactory.getLogger(Demo.class);
    private static final Duration DRAIN = Duration.ofSeconds(2);
    private static final int ADMIN_PORT = 9901;

    private final EventLoopGroup group;
    private final List<DemoBackend> backends;
    private final Forwarder forwarder;
    private final int requestedPort;

    private Demo(EventLoopGroup group, List<DemoBackend> backends, Forwarder forwarder, int requestedPort) {
        this.group = group;
        this.backends = List.copyOf(backends);
        this.forwarder = forwarder;
        this.requestedPort = requestedPort;
    }

    /**
     * Starts the backends and the listener on 127.0.0.1:{@code port} (0: any free port).
     *
     * @throws ListenerBindException only when not even a free port can be bound
     */
    public static Demo start(int port) throws ListenerBindException {
        EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        List<DemoBackend> backends = new ArrayList<>(BACKENDS);
        try {
            for (int i = 1; i <= BACKENDS; i++) {
                backends.add(DemoBackend.start("demo-backend-" + i, group));
            }
            Forwarder forwarder = null;
            // The admin port's default, unless another forwarder has it: then any free one (the demo prints it).
            int adminPort = isFree(ADMIN_PORT) ? ADMIN_PORT : 0;
            // Probe first: with SO_REUSEPORT, a second forwarder could bind the same port and share its traffic.
            if (port == 0 || isFree(port)) {
                try {
                    forwarder = Forwarder.start(config(port, adminPort, backends));
                } catch (ListenerBindException e) {
                    log.debug("demo port busy port={} reason={}", port, e.getMessage());
                }
            }
            if (forwarder == null) {
                forwarder = Forwarder.start(config(0, 0, backends));
            }
            return new Demo(group, backends, forwarder, port);
        } catch (ListenerBindException | RuntimeException e) {
            backends.forEach(DemoBackend::close);
            group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
            throw e;
        }
    }

    /** The demo's config: what a user would write by hand for the same setup. */
    static ForwarderConfig config(int port, int adminPort, List<DemoBackend> backends) {
        String addresses = backends.stream()
                .map(backend -> "\"127.0.0.1:" + backend.address().getPort() + "\"")
                .collect(Collectors.joining(", "));
        String hocon = "forwarder {\n"
                + "  shutdown-timeout = " + DRAIN.toSeconds() + "s\n"
                + "  listeners { " + LISTENER + " { bind = \"127.0.0.1:" + port + "\", pool = demo } }\n"
                + "  pools { demo { strategy = round-robin, backends = [ " + addresses + " ] } }\n"
                + "  admin { enabled = true, bind = \"127.0.0.1:" + adminPort + "\" }\n"
                + "}\n";
        return ConfigLoader.parse(hocon, "demo");
    }

    private static boolean isFree(int port) {
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(new InetSocketAddress("127.0.0.1", port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** Where the demo listener accepts. */
    public InetSocketAddress address() {
        return forwarder.listenerAddress(LISTENER);
    }

    /** Where the admin port listens. */
    public InetSocketAddress adminAddress() {
        return forwarder.adminAddress();
    }

    /** Whether the requested port was busy and the listener took another. */
    public boolean fellBack() {
        return requestedPort != 0 && address().getPort() != requestedPort;
    }

    public int requestedPort() {
        return requestedPort;
    }

    public List<DemoBackend> backends() {
        return backends;
    }

    public Forwarder forwarder() {
        return forwarder;
    }

    /** Sends one HTTP request through the listener and returns the body: the greeting of the backend it reached. */
    public String request() throws IOException {
        return DemoClient.get(address());
    }

    /** Sends {@code count} HTTP requests through the listener, one after another, and returns the bodies. */
    public List<String> request(int count) throws IOException {
        List<String> answers = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            answers.add(request());
        }
        return answers;
    }

    @Override
    public void close() {
        forwarder.shutdown(DRAIN);
        backends.forEach(DemoBackend::close);
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }
}
