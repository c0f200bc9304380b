package dev.forwarder.app.reload;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.forwarder.app.Forwarder;
import dev.forwarder.app.config.ConfigLoader;
import dev.forwarder.app.config.ForwarderConfig;
import dev.forwarder.balancer.PoolMember;
import dev.forwarder.core.ListenerBindException;
import dev.forwarder.core.testing.BlockingServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reloading from the file a forwarder started with: what changed is applied and said, a bad file or a change that
 * needs a restart is refused with the reason and the running config stays, and a SIGHUP while starting waits for
 * the listeners.
 */
class ReloaderTest {

    @TempDir
    Path dir;

    private final Logger logger = (Logger) LoggerFactory.getLogger(Reloader.class);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private final List<AutoCloseable> closing = new ArrayList<>();
    private BlockingServer a;
    private BlockingServer b;
    private Path file;

    @BeforeEach
    void start() {
        lines.start();
        logger.addAppender(lines);
        a = BlockingServer.echo();
        b = BlockingServer.echo();
        file = dir.resolve("fwd.conf");
    }

    @AfterEach
    void stop() throws Exception {
        logger.detachAppender(lines);
        for (AutoCloseable c : closing) {
            c.close();
        }
        a.close();
        b.close();
    }

    private static String member(BlockingServer server) {
        return "127.0.0.1:" + server.address().getPort();
    }

    private void write(String pool) throws IOException {
        Files.writeString(file, """
                forwarder {
                  io-threads = 1
                  shutdown-timeout = 1s
                  listeners { web { bind = "127.0.0.1:0", pool = web } }
                  pools { web { %s } }
                }
                """.formatted(pool));
    }

    private Forwarder running() throws ListenerBindException {
        Forwarder forwarder = Forwarder.start(ConfigLoader.load(file));
        closing.add(forwarder);
        return forwarder;
    }

    private static List<String> members(Forwarder forwarder) {
        return forwarder.pool("web").members().stream().map(PoolMember::name).toList();
    }

    @Test
    void appliesTheRewrittenFileAndSaysWhatChanged() throws Exception {
        write("backends = [ \"%s\" ]".formatted(member(a)));
        Forwarder forwarder = running();
        Reloader reloader = new Reloader(file, forwarder);

        write("strategy = least-connections, backends = [ { address = \"%s\", weight = 2 }, \"%s\" ]"
                .formatted(member(a), member(b)));
        ReloadResult result = reloader.reload();

        assertThat(result.ok()).as(result.message()).isTrue();
        assertThat(result.message()).contains("pool_changed=web{", "added=[" + member(b) + "]",
                "changed=[" + member(a) + "(weight=1->2)]", "strategy=round-robin->least-connections");
        assertThat(members(forwarder)).containsExactlyInAnyOrder(member(a), member(b));
        assertThat(forwarder.config()).isEqualTo(ConfigLoader.load(file));
        assertThat(lines.list).singleElement().satisfies(line -> {
            assertThat(line.getLevel()).isEqualTo(Level.INFO);
            assertThat(line.getFormattedMessage()).startsWith("reloaded config=" + file + " took_ms=")
                    .endsWith(result.message());
        });

        write("strategy = least-connections, backends = [ \"%s\" ]".formatted(member(b)));
        ReloadResult removed = reloader.reload();
        assertThat(removed.message()).contains("removed=[" + member(a) + "]");
        assertThat(reloader.reload().message()).as("the same file again").isEqualTo("changes=none");
    }

    @Test
    void aBadFileIsRefusedWithFileLineAndKeyAndTheRunningConfigStays() throws Exception {
        write("backends = [ \"%s\" ]".formatted(member(a)));
        Forwarder forwarder = running();
        ForwarderConfig before = forwarder.config();
        Reloader reloader = new Reloader(file, forwarder);

        write("strategy = round-robbin, backends = [ \"%s\" ]".formatted(member(b)));
        ReloadResult result = reloader.reload();

        assertThat(result.ok()).isFalse();
        assertThat(result.message()).startsWith("config error: " + file + ":5: forwarder.pools.web.strategy: "
                + "\"round-robbin\" is not a strategy");
        assertThat(forwarder.config()).isSameAs(before);
        assertThat(members(forwarder)).containsExactly(member(a));
        assertThat(lines.list).singleElement().satisfies(line -> {
            assertThat(line.getLevel()).isEqualTo(Level.WARN);
            assertThat(line.getFormattedMessage()).startsWith("reload refused config=" + file)
                    .contains("error=\"" + result.message() + "\"");
        });
    }

    @Test
    void aListenerThatCannotBindIsRefusedAndNothingChanges() throws Exception {
        write("backends = [ \"%s\" ]".formatted(member(a)));
        Forwarder forwarder = running();
        ForwarderConfig before = forwarder.config();
        Reloader reloader = new Reloader(file, forwarder);
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            Files.writeString(file, Files.readString(file).replace("listeners {",
                    "listeners { taken { bind = \"127.0.0.1:%d\", pool = web },".formatted(taken.getLocalPort()))
                    .replace(member(a), member(b)));

            ReloadResult result = reloader.reload();

            assertThat(result.ok()).isFalse();
            assertThat(result.message()).startsWith("listener taken: cannot bind 127.0.0.1:" + taken.getLocalPort());
        }
        assertThat(forwarder.config()).isSameAs(before);
        assertThat(members(forwarder)).containsExactly(member(a));
    }

    @Test
    void aNewLogFormatNeedsARestart() throws Exception {
        write("backends = [ \"%s\" ]".formatted(member(a)));
        Forwarder forwarder = running();
        Reloader reloader = new Reloader(file, forwarder);

        Files.writeString(file, Files.readString(file).replace("io-threads = 1", "io-threads = 1, log.format = json"));
        ReloadResult result = reloader.reload();

        assertThat(result).isEqualTo(new ReloadResult(false,
                "forwarder.log.format: json needs a restart (expected: text while running)"));
    }

    @Test
    void reloadsAskedForAtOnceRunOneAfterTheOtherAndTheLastFileWins() throws Exception {
        write("backends = [ \"%s\" ]".formatted(member(a)));
        Forwarder forwarder = running();
        Reloader reloader = new Reloader(file, forwarder);
        write("backends = [ \"%s\", \"%s\" ]".formatted(member(a), member(b)));

        List<CompletableFuture<ReloadResult>> results = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            results.add(CompletableFuture.supplyAsync(reloader::reload));
        }
        for (CompletableFuture<ReloadResult> result : results) {
            assertThat(result.get(30, TimeUnit.SECONDS).ok()).isTrue();
        }

        assertThat(results.stream().map(CompletableFuture::join).filter(r -> r.message().contains("added=")))
                .as("one of them changed something, the others found it done").hasSize(1);
        assertThat(members(forwarder)).containsExactlyInAnyOrder(member(a), member(b));
        assertThat(lines.list).hasSize(4);
    }

    @Test
    void aHangUpWhileStartingReloadsOnceTheListenersAreBound() throws Exception {
        write("backends = [ \"%s\" ]".formatted(member(a)));
        ReloadOnHangUp hangUp = new ReloadOnHangUp();
        ForwarderConfig read = ConfigLoader.load(file);

        hangUp.run(); // SIGHUP after the file was read, before the forwarder runs: nothing to reload yet
        write("backends = [ \"%s\", \"%s\" ]".formatted(member(a), member(b)));
        Forwarder forwarder = Forwarder.start(read);
        closing.add(forwarder);
        assertThat(members(forwarder)).containsExactly(member(a));
        hangUp.ready(new Reloader(file, forwarder));

        assertThat(members(forwarder)).containsExactlyInAnyOrder(member(a), member(b));
        assertThat(lines.list).hasSize(1);
        hangUp.run();
        assertThat(lines.list).as("one reload per signal").hasSize(2);
    }
}
