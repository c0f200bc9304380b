package dev.forwarder.it.ops;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The packaged jar as users run it, {@code java -jar forwarder.jar run --config FILE}, its output in a file under
 * {@code target/} (not the console). Failsafe passes the jar's path in {@code forwarder.jar}.
 */
final class ForwarderProcess implements AutoCloseable {

    private final Process process;
    private final Path log;

    private ForwarderProcess(Process process, Path log) {
        this.process = process;
        this.log = log;
    }

    static ForwarderProcess start(Path config, Path log) throws IOException {
        Path jar = Path.of(System.getProperty("forwarder.jar", "../forwarder-app/target/forwarder.jar"));
        assertThat(jar).as("the packaged jar (built in the package phase)").isRegularFile();
        Files.createDirectories(log.toAbsolutePath().getParent());
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "-Xmx256m", "-jar", jar.toString(), "run", "--config",
                config.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        return new ForwarderProcess(process, log);
    }

    /** The port {@code listener} bound, from its {@code started} line. */
    int listenerPort(String listener) {
        Pattern started = Pattern.compile("started listener=" + listener + " address=127\\.0\\.0\\.1:([0-9]+)");
        await("listener " + listener + " started").atMost(Duration.ofSeconds(30))
                .until(() -> started.matcher(log()).find() || !process.isAlive());
        Matcher matcher = started.matcher(log());
        assertThat(matcher.find()).as("listener started; log:%n%s", log()).isTrue();
        return Integer.parseInt(matcher.group(1));
    }

    /** The admin port's port, from its {@code admin port started} line (tests bind it to 127.0.0.1:0). */
    int adminPort() {
        Pattern started = Pattern.compile("admin port started address=127\\.0\\.0\\.1:([0-9]+)");
        await("admin port started").atMost(Duration.ofSeconds(30))
                .until(() -> started.matcher(log()).find() || !process.isAlive());
        Matcher matcher = started.matcher(log());
        assertThat(matcher.find()).as("admin port started; log:%n%s", log()).isTrue();
        return Integer.parseInt(matcher.group(1));
    }

    /** Sends {@code SIGname}: {@link Process} itself sends only TERM and KILL. */
    void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).as("kill -%s", name).isZero();
    }

    /** How often {@code text} occurs in the log so far. */
    int count(String text) {
        String all = log();
        int n = 0;
        for (int at = all.indexOf(text); at >= 0; at = all.indexOf(text, at + text.length())) {
            n++;
        }
        return n;
    }

    /** Waits until {@code text} occurs {@code times} times in the log. */
    void awaitCount(String text, int times, Duration atMost) {
        await(times + " x \"" + text + "\" in " + log).atMost(atMost).pollInterval(Duration.ofMillis(20))
                .until(() -> count(text) >= times || !process.isAlive());
        assertThat(process.isAlive()).as("forwarder alive; log:%n%s", log()).isTrue();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** SIGTERM, then the exit status (or -1 after {@code atMost}). */
    int stop(Duration atMost) throws InterruptedException {
        process.destroy();
        return process.waitFor(atMost.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : -1;
    }

    String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            try {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
