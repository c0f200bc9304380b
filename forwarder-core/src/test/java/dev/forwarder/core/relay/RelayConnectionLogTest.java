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
    void logsOneLineAtOpenAndOneAtCloseWithBytesDurationAndReason() throws Exception {
        RecordingObserver observer = new RecordingObserver();
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
            await().atMost(Duration.ofSeconds(5)).until(() -> appender.list.size() >= 2);

            String client1 = "127.0.0.1:" + client.getLocalPort();
            assertThat(appender.list).extracting(ILoggingEvent::getFormattedMessage).containsExactly(
                    "open conn=" + observer.closed.get(0).id() + " listener=test client=" + client1
                            + " backend=" + backendName,
                    appender.list.get(1).getFormattedMessage());
            assertThat(appender.list.get(1).getFormattedMessage())
                    .startsWith("close conn=" + observer.closed.get(0).id() + " listener=test client=" + client1
                            + " backend=" + backendName + " bytes_up=4 bytes_down=9 duration_ms=")
                    .endsWith(" reason=backend-closed");
        }
    }
}
