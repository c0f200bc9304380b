package dev.forwarder.core.relay;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.forwarder.core.Transport;
import dev.forwarder.core.testing.BlockingServer;
import dev.forwarder.core.testing.FixedChooser;
import dev.forwarder.core.testing.RecordingObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class RelayConnectionLogTest {

    private final Logger logger = (Logger) LoggerFactory.getLogger("dev.forwarder.connection");
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private Level previous;

    @BeforeEach
    void capture() {
        previous = logger.getLevel();
        logger.setLevel(Level.INFO);
        appender.start();
        logger.addAppender(appender);
    }

    @AfterEach
    void release() {
        logger.detachAppender(appender);
        logger.setLevel(previous);
    }

    @Test
    void logsOneLineAtCloseWithTheTimelineBytesDurationAndReason() throws Exception {
        RecordingObserver observer = new RecordingObserver();
        long before = System.currentTimeMillis();
        try (BlockingServer backend = BlockingServer.start(socket -> {
            byte[] request = socket.getInputStream().readNBytes(4);
            socket.getOutputStream().write(("echo:" + new String(request, StandardCharsets.US_ASCII))
                    .getBytes(StandardCharsets.US_ASCII));
        });
             RelayFixture relay = new RelayFixture(Transport.AUTO, RelayFixture.settings(),
                     new FixedChooser(backend.address()), observer, 1);
             Socket client = relay.connect()) {
            client.getOutputStream().write("ping".getBytes(StandardCharsets.US_ASCII));
            assertThat(client.getInputStream().readAllBytes()).hasSize(9);
            // The backend's FIN reached the client; the connection ends when the client's side ends too.
            client.close();
            String backendName = backend.address().getAddress().getHostAddress() + ":" + backend.address().getPort();
            await().atMost(Duration.ofSeconds(5)).until(() -> observer.closed.size() == 1);
            await().atMost(Duration.ofSeconds(5)).until(() -> !appender.list.isEmpty());

            String client1 = "127.0.0.1:" + client.getLocalPort();
            assertThat(appender.list).as("one line per connection, at close").hasSize(1);
            String line = appender.list.get(0).getFormattedMessage();
            assertThat(appender.list.get(0).getLevel()).isEqualTo(Level.INFO);
            assertThat(line).startsWith("close conn=" + observer.closed.get(0).id() + " listener=test client="
                    + client1 + " backend=" + backendName + " bytes_up=4 bytes_down=9 duration_ms=");
            Matcher fields = Pattern.compile(" reason=backend-closed accepted=(\\S+) connect_ms=(\\d+\\.\\d{3}) "
                    + "first_up_ms=(\\d+\\.\\d{3}) first_down_ms=(\\d+\\.\\d{3}) first_close=backend-fin$").matcher(line);
            assertThat(fields.find()).as(line).isTrue();
            Instant accepted = Instant.parse(fields.group(1));
            assertThat(accepted.toEpochMilli()).isBetween(before, System.currentTimeMillis());
            double connect = Double.parseDouble(fields.group(2));
            double firstUp = Double.parseDouble(fields.group(3));
            double firstDown = Double.parseDouble(fields.group(4));
            // The backend answers only after the request: its first byte comes after the client's.
            assertThat(firstDown).isGreaterThanOrEqualTo(firstUp).isGreaterThan(0);
            assertThat(connect).isLessThan(5_000);
        }
    }

    @Test
    void theOpenLineIsDebug() throws Exception {
        logger.setLevel(Level.DEBUG);
        RecordingObserver observer = new RecordingObserver();
        try (BlockingServer backend = BlockingServer.start(socket -> socket.getOutputStream().write('x'));
             RelayFixture relay = new RelayFixture(Transport.AUTO, RelayFixture.settings(),
                     new FixedChooser(backend.address()), observer, 1);
             Socket client = relay.connect()) {
            assertThat(client.getInputStream().readAllBytes()).hasSize(1);
            client.close();
            await().atMost(Duration.ofSeconds(5)).until(() -> appender.list.stream()
                    .anyMatch(e -> e.getFormattedMessage().startsWith("close ")));
            String client1 = "127.0.0.1:" + client.getLocalPort();
            String backendName = backend.address().getAddress().getHostAddress() + ":" + backend.address().getPort();
            assertThat(appender.list).filteredOn(e -> e.getFormattedMessage().startsWith("open "))
                    .singleElement().satisfies(open -> {
                        assertThat(open.getLevel()).isEqualTo(Level.DEBUG);
                        assertThat(open.getFormattedMessage()).isEqualTo("open conn=" + observer.closed.get(0).id()
                                + " listener=test client=" + client1 + " backend=" + backendName);
                    });
            assertThat(appender.list).filteredOn(e -> e.getFormattedMessage().startsWith("close "))
                    .singleElement().satisfies(close -> assertThat(close.getFormattedMessage())
                            .contains(" first_up_ms=- ", " first_close=backend-fin"));
        }
    }
}
