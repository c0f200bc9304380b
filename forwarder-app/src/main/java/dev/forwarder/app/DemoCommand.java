package dev.forwarder.app;

import dev.forwarder.app.demo.Demo;
import dev.forwarder.app.demo.DemoBackend;
import dev.forwarder.core.ListenerBindException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.util.concurrent.Callable;

/** {@code forwarder demo}: a self-contained forwarder over three local backends, shown working. */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Starts three small local backends that answer with their own name, and a listener on"
                + " 127.0.0.1 balancing round-robin over them; sends a few requests through it to show the answers"
                + " alternating, then keeps running for you to try until Ctrl-C. Needs no other server."})
final class DemoCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = {"-p", "--port"}, defaultValue = "8080", paramLabel = "PORT",
            description = "The listener's port on 127.0.0.1 (default: ${DEFAULT-VALUE}; a free one if it is busy).")
    private int port;

    @Option(names = "--requests", defaultValue = "6", paramLabel = "N",
            description = "Requests to send through the listener at start (default: ${DEFAULT-VALUE}).")
    private int requests;

    @Override
    public Integer call() throws ListenerBindException, IOException, InterruptedException {
        if (port < 0 || port > 65535) {
            throw new ParameterException(spec.commandLine(), "--port: " + port + " (expected: 0-65535)");
        }
        if (requests < 0) {
            throw new ParameterException(spec.commandLine(), "--requests: " + requests + " (expected: >= 0)");
        }
        StopSignals signals = StopSignals.install();
        PrintWriter out = spec.commandLine().getOut();
        // The demo's own lines first: forwarder's start-up INFO lines (and the connection lines of the demo's
        // requests) would bury them. Warnings still show; from "Try it yourself" on, every line shows again.
        java.util.Map<ch.qos.logback.classic.Logger, ch.qos.logback.classic.Level> configured = quietLogs();
        try (Demo demo = Demo.start(port)) {
            InetSocketAddress address = demo.address();
            String url = "http://127.0.0.1:" + address.getPort() + "/";
            if (demo.fellBack()) {
                out.println("Port " + demo.requestedPort() + " is busy, so the demo listens on port "
                        + address.getPort() + " instead.");
            }
            out.println("forwarder demo: listener 127.0.0.1:" + address.getPort()
                    + " balances round-robin over " + demo.backends().size() + " local backends:");
            for (DemoBackend backend : demo.backends()) {
                out.println("  " + backend.name() + " on 127.0.0.1:" + backend.address().getPort());
            }
            out.println();
            out.println(requests + " requests through the forwarder (GET " + url + "):");
            out.flush();
            for (int i = 1; i <= requests; i++) {
                out.println("  request " + i + " -> " + demo.request());
                out.flush();
            }
            out.println();
            InetSocketAddress admin = demo.adminAddress();
            String adminUrl = "http://127.0.0.1:" + admin.getPort();
            out.println("Status page: " + adminUrl + "/  (open it in a browser: members, rates, live connections)");
            out.println("Admin port:  " + adminUrl + "  (JSON under /api, e.g. " + adminUrl + "/api/pools;"
                    + " Prometheus at /metrics; /healthz, /readyz)");
            out.println();
            out.println("Try it yourself while it runs:");
            out.println("  curl -s " + url);
            out.println("  curl -s " + adminUrl + "/api/pools");
            out.println("  curl -s -X POST -H 'X-Forwarder-Admin: 1' " + adminUrl + "/api/pools/demo/members/127.0.0.1:"
                    + demo.backends().get(0).address().getPort() + "/drain");
            out.println("  nc 127.0.0.1 " + address.getPort() + "      (answers after a second, or when you type a line)");
            out.println("Press Ctrl-C to stop. Log lines (one per connection you open) follow below.");
            out.println();
            out.flush();
            // The demo's own connections end just after their answers: let them (ten seconds at most, on a busy
            // machine) before the log speaks again, so that only connections opened from here on log their lines.
            // A connection leaves the listener's count after its close line was decided (see
            // ConnectionObserver.compose), so none of the demo's slips through.
            long quietUntil = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
            while (demo.forwarder().listener(Demo.LISTENER).activeConnections() > 0 && System.nanoTime() < quietUntil) {
                Thread.sleep(10);
            }
            configured.forEach(ch.qos.logback.classic.Logger::setLevel);
            signals.await();
        }
        return Main.OK;
    }

    /**
     * Sets forwarder's loggers to WARN: {@code dev.forwarder} and those below it with a level of their own (the
     * connection log has one in logback.xml, so the parent's level does not reach it).
     *
     * @return each logger changed, with the level it had (null: inherited), to put back
     */
    private static java.util.Map<ch.qos.logback.classic.Logger, ch.qos.logback.classic.Level> quietLogs() {
        java.util.Map<ch.qos.logback.classic.Logger, ch.qos.logback.classic.Level> levels = new java.util.HashMap<>();
        if (!(org.slf4j.LoggerFactory.getILoggerFactory() instanceof ch.qos.logback.classic.LoggerContext context)) {
            return levels;
        }
        for (ch.qos.logback.classic.Logger logger : context.getLoggerList()) {
            boolean forwarders = logger.getName().equals("dev.forwarder") || logger.getName().startsWith("dev.forwarder.");
            if (forwarders && (logger.getLevel() != null || logger.getName().equals("dev.forwarder"))) {
                levels.put(logger, logger.getLevel());
            }
        }
        levels.putIfAbsent(context.getLogger("dev.forwarder"), context.getLogger("dev.forwarder").getLevel());
        levels.keySet().forEach(logger -> logger.setLevel(ch.qos.logback.classic.Level.WARN));
        return levels;
    }
}
