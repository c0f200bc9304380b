package dev.forwarder.app.loadtest;

import dev.forwarder.core.Addresses;
import dev.forwarder.core.Transport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.net.InetSocketAddress;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code forwarder echo-server}: a backend for {@code forwarder loadtest} and the bench. */
@Command(name = "echo-server", mixinStandardHelpOptions = true,
        description = {"Echoes every byte back on every connection (or, with --discard, drops them) until killed."
                + " When a client shuts its output, the rest of the echo is sent and then the server shuts its"
                + " output too. A backend to aim `forwarder loadtest` at, directly or through forwarder."})
public final class EchoServerCommand implements Callable<Integer> {

    @Spec
    private CommandSpec spec;

    @Option(names = {"-b", "--bind"}, defaultValue = "127.0.0.1:7000", paramLabel = "HOST:PORT",
            converter = Quantities.AddressConverter.class,
            description = "Where to listen (default: ${DEFAULT-VALUE}); port 0 picks a free one.")
    private InetSocketAddress bind;

    @Option(names = "--discard", description = "Drop what arrives instead of echoing it.")
    private boolean discard;

    @Option(names = "--threads", paramLabel = "N",
            description = "Event-loop threads (default: one per CPU core).")
    private int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--transport", defaultValue = "auto", paramLabel = "auto|epoll|nio",
            converter = LoadTestCommand.TransportConverter.class,
            description = "Netty transport (default: ${DEFAULT-VALUE}: epoll where available).")
    private Transport transport;

    @Override
    public Integer call() throws InterruptedException {
        InetSocketAddress address = new InetSocketAddress(bind.getHostString(), bind.getPort());
        EchoServer server = EchoServer.start(address, discard, threads, transport);
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "echo-server-stop"));
        spec.commandLine().getOut().printf("%s listening on %s (%s, %d threads); stop with Ctrl-C or SIGTERM%n",
                discard ? "discard-server" : "echo-server", Addresses.format(server.address()),
                server.transport().name().toLowerCase(java.util.Locale.ROOT), threads);
        spec.commandLine().getOut().flush();
        stopped.await();
        return 0;
    }
}
