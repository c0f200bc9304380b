package dev.forwarder.app;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code forwarder demo} as a newcomer sees it, with the jar's own logging (logback.xml): the demo's lines come
 * first, with no log line among them, and print the status page's address; once they are out, a connection of one's
 * own logs its lines below them; SIGTERM ends it with status 0.
 */
class DemoConsoleTest {

    private static final Pattern LISTENER = Pattern.compile("listener 127\\.0\\.0\\.1:([0-9]+) balances");

    @TempDir
    Path dir;
    private Process process;

    @AfterEach
    void stop() {
        if (process != null) {
            process.destroyForcibly();
        }
    }

    private String output() throws IOException {
        return Files.readString(dir.resolve("demo.out"), StandardCharsets.UTF_8);
    }

    @Test
    void theDemosOwnLinesComeFirstThenTheLog() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        process = new ProcessBuilder(List.of(java, "-Xmx128m", "-XX:TieredStopAtLevel=1",
                "-Dlogback.configurationFile=logback.xml", "-cp", System.getProperty("java.class.path"),
                Main.class.getName(), "demo", "--port", "0"))
                .redirectErrorStream(true).redirectOutput(dir.resolve("demo.out").toFile()).start();
        await().atMost(Duration.ofSeconds(60)).until(() -> output().contains("Press Ctrl-C") || !process.isAlive());
        String shown = output();
        assertThat(shown).as("demo output").contains("Press Ctrl-C");

        String demoLines = shown.substring(0, shown.indexOf("Press Ctrl-C"));
        assertThat(demoLines.split("\n")[0]).as("the first line of the demo; output:%n%s", shown)
                .startsWith("forwarder demo: listener");
        assertThat(demoLines).as("no log line among the demo's own").doesNotContain(" INFO ");
        assertThat(shown).containsPattern("Status page: http://127\\.0\\.0\\.1:[0-9]+/ ")
                .contains("request 6 -> hello from demo-backend-3");

        Matcher listener = LISTENER.matcher(shown);
        assertThat(listener.find()).isTrue();
        try (Socket socket = new Socket("127.0.0.1", Integer.parseInt(listener.group(1)))) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write("hello\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            assertThat(in.read()).isNotEqualTo(-1);
        }
        await().atMost(Duration.ofSeconds(20)).until(() -> output().contains(" close conn="));
        String after = output().substring(output().indexOf("Press Ctrl-C"));
        // One line per connection, at close; the open line is DEBUG.
        assertThat(after).contains(" INFO ").contains(" first_close=").doesNotContain("open conn=");
        // Connection lines leave through a buffer flushed every second: had the demo's own six requests logged
        // theirs, they would be out before this one's.
        assertThat(output().split(" close conn=", -1)).as("close lines: only the connection opened here; output:%n%s",
                output()).hasSize(2);

        new ProcessBuilder("kill", "-TERM", Long.toString(process.pid())).start().waitFor(10, TimeUnit.SECONDS);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).isZero();
    }
}
