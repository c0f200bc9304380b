package dev.forwarder.core.relay;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import dev.forwarder.core.Backend;
import dev.forwarder.core.CloseReason;
import dev.forwarder.core.ConnectionInfo;
import dev.forwarder.core.FirstClose;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import java.io.BufferedOutputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What a close line costs the event loop that writes it: formatting, Logback's event and the encoder, into a buffer
 * (as {@code BufferedStdoutAppender} does). Allocation per line is measured (robust on a loaded machine), time per
 * line is only logged. Run alone: {@code mvn -pl forwarder-core test -Dtest=ConnectionLogCostTest}.
 */
class ConnectionLogCostTest {

    private static final int WARM = 200_000;
    private static final int MEASURED = 300_000;

    private final Logger logger = (Logger) LoggerFactory.getLogger(ConnectionLog.LOGGER);
    private final OutputStreamAppender<ILoggingEvent> appender = new OutputStreamAppender<>();
    private Level previousLevel;
    private boolean previousAdditive;

    @BeforeEach
    void intoABuffer() {
        LoggerContext context = logger.getLoggerContext();
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{yyyy-MM-dd HH:mm:ss.SSS} %-5level [%thread] %logger{0} - %msg%n");
        encoder.start();
        appender.setContext(context);
        appender.setEncoder(encoder);
        appender.setImmediateFlush(false);
        appender.setOutputStream(new BufferedOutputStream(OutputStream.nullOutputStream(), 64 * 1024));
        appender.start();
        previousLevel = logger.getLevel();
        previousAdditive = logger.isAdditive();
        logger.setLevel(Level.INFO);
        logger.setAdditive(false);
        logger.addAppender(appender);
    }

    @AfterEach
    void restore() {
        logger.detachAppender(appender);
        appender.stop();
        logger.setLevel(previousLevel);
        logger.setAdditive(previousAdditive);
    }

    @Test
    void aCloseLineAllocatesLittle() {
        ConnectionInfo connection = new Fixed();
        long[] whole = measure(() -> ConnectionLog.INSTANCE.closed(connection));
        long[] message = measure(() -> ConnectionLog.closeLine(connection));
        LoggerFactory.getLogger(ConnectionLogCostTest.class).info("close line: {} B allocated, {} ns (noisy) per line; "
                + "of it the message: {} B, {} ns; line: {}", whole[0], whole[1], message[0], message[1],
                ConnectionLog.closeLine(connection));
        assertThat(message[0]).as("bytes allocated per close line message").isLessThan(MESSAGE_BUDGET);
        assertThat(whole[0]).as("bytes allocated per close line, Logback included").isLessThan(BUDGET);
    }

    /** Bytes allocated and nanoseconds per run of {@code line}, after a warm-up. */
    private static long[] measure(Runnable line) {
        for (int i = 0; i < WARM; i++) {
            line.run();
        }
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        long bytes0 = threads.getThreadAllocatedBytes(thread);
        long t0 = System.nanoTime();
        for (int i = 0; i < MEASURED; i++) {
            line.run();
        }
        long nanos = System.nanoTime() - t0;
        return new long[] {(threads.getThreadAllocatedBytes(thread) - bytes0) / MEASURED, nanos / MEASURED};
    }

    /** Bytes per close line, Logback's event and encoder included. */
    private static final long BUDGET = 3_000;
    /** Bytes per close line's message: the one String handed to the logger, and an IPv4 address's octets. */
    private static final long MESSAGE_BUDGET = 1_024;

    /** A connection as the close line sees it: every field present, a backend retry, spliced bytes. */
    private static final class Fixed implements ConnectionInfo {
        private final InetSocketAddress client = new InetSocketAddress("127.0.0.1", 51036);
        private final Backend backend = new Backend() {
            private final InetSocketAddress address = new InetSocketAddress("127.0.0.1", 19001);

            @Override
            public String name() {
                return "127.0.0.1:19001";
            }

            @Override
            public InetSocketAddress address() {
                return address;
            }

            @Override
            public String toString() {
                return name();
            }
        };
        private final List<Backend> failed = List.of(backend);
        private final long accepted = System.nanoTime() - 5_000_000;

        @Override public String id() { return "1f3a"; }
        @Override public String listener() { return "web"; }
        @Override public SocketAddress client() { return client; }
        @Override public Backend backend() { return backend; }
        @Override public List<Backend> failedBackends() { return failed; }
        @Override public long bytesUp() { return 87; }
        @Override public long bytesDown() { return 143_210; }
        @Override public long bytesSpliced() { return 131_072; }
        @Override public long acceptedNanos() { return accepted; }
        @Override public CloseReason closeReason() { return CloseReason.CLIENT_CLOSED; }
        @Override public long acceptedMillis() { return 1_796_172_595_495L; }
        @Override public long connectedNanos() { return accepted + 142_000; }
        @Override public long firstUpNanos() { return accepted + 51_000; }
        @Override public long firstDownNanos() { return accepted + 3_100_000; }
        @Override public FirstClose firstClose() { return FirstClose.CLIENT_FIN; }
    }
}
