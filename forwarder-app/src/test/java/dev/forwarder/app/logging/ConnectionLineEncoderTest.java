package dev.forwarder.app.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.encoder.Encoder;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class ConnectionLineEncoderTest {

    private static final String PATTERN = "%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger{0} - %msg%n";
    private static final String CLOSE = "close conn=1f3a listener=web client=127.0.0.1:51036 backend=127.0.0.1:19001 "
            + "bytes_up=87 bytes_down=143210 duration_ms=6822 reason=client-closed accepted=2026-12-02T00:49:55.495Z "
            + "connect_ms=0.142 first_up_ms=0.051 first_down_ms=3.100 first_close=client-fin";

    private final LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();

    private PatternLayoutEncoder pattern() {
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.setCharset(StandardCharsets.UTF_8);
        encoder.start();
        return encoder;
    }

    private ConnectionLineEncoder fast() {
        ConnectionLineEncoder encoder = new ConnectionLineEncoder();
        encoder.setContext(context);
        encoder.start();
        return encoder;
    }

    private LoggingEvent event(String logger, Level level, String message, long millis) {
        Logger log = context.getLogger(logger);
        LoggingEvent event = new LoggingEvent(Logger.class.getName(), log, level, message, null, null);
        event.setTimeStamp(millis);
        event.setThreadName("forwarder-io-1-2");
        return event;
    }

    @Test
    void writesWhatThePatternWrites() {
        PatternLayoutEncoder pattern = pattern();
        ConnectionLineEncoder fast = fast();
        long[] times = {1_796_172_595_495L, 1_796_172_595_000L, 1_796_172_595_999L, 1_796_172_596_001L, 86_399_999L};
        for (long millis : times) {
            for (Level level : new Level[] {Level.INFO, Level.DEBUG, Level.WARN, Level.ERROR}) {
                for (String message : new String[] {CLOSE, "listener=wéb ünïcode ✓ 𝄞 end", ""}) {
                    LoggingEvent event = event("dev.forwarder.connection", level, message, millis);
                    assertThat(new String(fast.encode(event), StandardCharsets.UTF_8))
                            .isEqualTo(new String(pattern.encode(event), StandardCharsets.UTF_8));
                }
            }
        }
        LoggingEvent plain = event("nodots", Level.INFO, "x", 5);
        assertThat(fast.encode(plain)).isEqualTo(pattern.encode(plain));
    }

    @Test
    void allocatesAboutTheLineOnly() {
        ILoggingEvent event = event("dev.forwarder.connection", Level.INFO, CLOSE, System.currentTimeMillis());
        long fast = allocatedPerEncode(fast(), event);
        long pattern = allocatedPerEncode(pattern(), event);
        LoggerFactory.getLogger(ConnectionLineEncoderTest.class).info(
                "bytes allocated per encoded close line: pattern layout {}, ConnectionLineEncoder {}", pattern, fast);
        // The line is about 330 bytes: its own array and nothing else of note.
        assertThat(fast).isLessThan(600).isLessThan(pattern / 2);
    }

    private static long allocatedPerEncode(Encoder<ILoggingEvent> encoder, ILoggingEvent event) {
        for (int i = 0; i < 100_000; i++) {
            encoder.encode(event);
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(thread);
        int n = 200_000;
        for (int i = 0; i < n; i++) {
            encoder.encode(event);
        }
        return (threads.getThreadAllocatedBytes(thread) - before) / n;
    }
}
