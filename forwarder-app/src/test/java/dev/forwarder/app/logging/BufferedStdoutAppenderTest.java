package dev.forwarder.app.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.util.LogbackMDCAdapter;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class BufferedStdoutAppenderTest {

    private final LoggerContext context = new LoggerContext();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    private BufferedStdoutAppender<ILoggingEvent> appender(long flushMillis) {
        context.setMDCAdapter(new LogbackMDCAdapter());
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%msg%n");
        encoder.start();
        BufferedStdoutAppender<ILoggingEvent> appender = new BufferedStdoutAppender<>();
        appender.setContext(context);
        appender.setEncoder(encoder);
        appender.setTarget(out);
        appender.setFlushIntervalMillis(flushMillis);
        appender.start();
        assertThat(appender.isStarted()).as("started: %s", context.getStatusManager().getCopyOfStatusList()).isTrue();
        return appender;
    }

    private void log(BufferedStdoutAppender<ILoggingEvent> appender, String message) {
        appender.doAppend(new LoggingEvent("test", context.getLogger("test"), Level.INFO, message, null, null));
    }

    private String written() {
        synchronized (out) {
            return out.toString(StandardCharsets.UTF_8);
        }
    }

    @Test
    void linesWaitInTheBufferUntilTheFlusherWritesThem() {
        BufferedStdoutAppender<ILoggingEvent> appender = appender(200);
        try {
            log(appender, "close conn=1");
            assertThat(written()).as("buffered, not written per line").isEmpty();
            await().atMost(Duration.ofSeconds(5)).until(() -> written().equals("close conn=1\n"));
        } finally {
            appender.stop();
        }
    }

    @Test
    void stopWritesWhatIsLeftAndLeavesTheStreamOpen() {
        BufferedStdoutAppender<ILoggingEvent> appender = appender(3_600_000);
        log(appender, "a");
        log(appender, "b");
        assertThat(written()).isEmpty();
        appender.stop();
        assertThat(written()).as("%s", context.getStatusManager().getCopyOfStatusList()).isEqualTo("a\nb\n");
    }
}
