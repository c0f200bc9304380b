package dev.forwarder.app.capture;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.forwarder.app.Forwarder;
import dev.forwarder.app.config.ConfigLoader;
import dev.forwarder.app.config.ForwarderConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code --dump} over a config with two listeners, and {@code mode = hexdump} on the capture logger. */
class DumpAndHexdumpTest {

    private TestServers.Echo echo;

    @BeforeEach
    void startEcho() throws IOException {
        echo = new TestServers.Echo();
    }

    @AfterEach
    void stopEcho() throws IOException {
        echo.close();
    }

    private ForwarderConfig config(String capture) {
        return ConfigLoader.parse("""
                forwarder {
                  io-threads = 2
                  shutdown-timeout = 1s
                  listener-defaults { capture { %s } }
                  listeners {
                    web { bind = "127.0.0.1:0", pool = echo }
                    cache { bind = "127.0.0.1:0", pool = echo }
                  }
                  pools { echo { backends = [ "127.0.0.1:%d" ] } }
                }
                """.formatted(capture, echo.port()), "test");
    }

    private static void roundTrip(Forwarder forwarder, String listener, String text) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(),
                forwarder.listenerAddress(listener).getPort())) {
            socket.setSoTimeout(10_000);
            byte[] bytes = text.getBytes(StandardCharsets.US_ASCII);
            socket.getOutputStream().write(bytes);
            byte[] back = new byte[bytes.length];
            new DataInputStream(socket.getInputStream()).readFully(back);
            assertThat(back).isEqualTo(bytes);
        }
    }

    @Test
    void dumpWithAConfigShowsEveryListenerWithoutInterleavingChunks() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
        Dump dump = Dump.to(DumpMode.FULL, out);
        try (Forwarder forwarder = Forwarder.start(config("mode = off"), dump)) {
            roundTrip(forwarder, "web", "*1\r\n$4\r\nPING\r\n");
            roundTrip(forwarder, "cache", "GET /cache HTTP/1.1\r\nHost: c\r\n\r\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> count(bytes.toString(StandardCharsets.UTF_8),
                    "closed reason=") == 2);
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        assertThat(text).contains("accepted listener=web", "accepted listener=cache");
        assertThat(text).contains("summary up redis command=PING args=0");
        assertThat(text).contains("summary up http request=\"GET /cache HTTP/1.1\" host=c");
        assertThat(text).contains("00000000  2a 31 0d 0a 24 34 0d 0a  50 49 4e 47 0d 0a        |*1..$4..PING..|\n"
                + "0000000e\n");
        // Each chunk's header is followed by its whole dump, ending in its end offset.
        Matcher header = Pattern.compile("conn=[0-9a-f]+ (up|down) \\S+ -> \\S+ size=([0-9]+) offset=([0-9]+)\n")
                .matcher(text);
        int chunks = 0;
        while (header.find()) {
            chunks++;
            long end = Long.parseLong(header.group(2)) + Long.parseLong(header.group(3));
            String after = text.substring(header.end());
            String endLine = String.format("%08x\n", end);
            int endAt = after.indexOf("\n" + endLine);
            assertThat(endAt).as("dump of chunk %d ends with %s", chunks, endLine.trim()).isPositive();
            assertThat(after.substring(0, endAt + 1).lines())
                    .allMatch(line -> line.matches("[0-9a-f]{8}  .*\\|") || line.equals("*"));
        }
        assertThat(chunks).isEqualTo(4);
    }

    @Test
    void hexdumpModeLogsEachChunkOnTheCaptureLogger() throws Exception {
        Logger logger = (Logger) LoggerFactory.getLogger(CaptureManager.LOGGER);
        ListAppender<ILoggingEvent> events = new ListAppender<>();
        events.start();
        logger.addAppender(events);
        try (Forwarder forwarder = Forwarder.start(config("mode = hexdump, max-bytes = 4 B"))) {
            roundTrip(forwarder, "web", "hello, capture\n");
            await().atMost(Duration.ofSeconds(10)).until(() -> events.list.size() >= 2);
        } finally {
            logger.detachAppender(events);
        }
        List<String> messages = events.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(messages).anySatisfy(message -> assertThat(message)
                .containsPattern("conn=[0-9a-f]+ up 127\\.0\\.0\\.1:[0-9]+ -> \\S+ size=15 offset=0 captured=4\n"
                        + "00000000  68 65 6c 6c  .*\\|hell\\|\n00000004"));
        assertThat(messages).anySatisfy(message -> assertThat(message).contains(" down ", "captured=4"));
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int at = text.indexOf(what); at >= 0; at = text.indexOf(what, at + 1)) {
            n++;
        }
        return n;
    }
}
