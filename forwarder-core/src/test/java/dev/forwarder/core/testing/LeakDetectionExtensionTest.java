package dev.forwarder.core.testing;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

class LeakDetectionExtensionTest {

    @Test
    void reportsABufferThatWasNeverReleased() {
        // Netty logs the deliberate leak at ERROR with its records; kept off the console, where it would read as a
        // real failure. The logger stays enabled: Netty reports leaks (to the listener too) only when it is.
        Logger detector = (Logger) LoggerFactory.getLogger(ResourceLeakDetector.class);
        ListAppender<ILoggingEvent> logged = new ListAppender<>();
        logged.start();
        detector.addAppender(logged);
        detector.setAdditive(false);
        try {
            leakOne();
            // The leak is found (and forgotten) here, so this class itself passes the extension's after-all check.
            assertThat(LeakDetectionExtension.collectLeaks()).anySatisfy(leak -> assertThat(leak).contains("ByteBuf"));
        } finally {
            detector.setAdditive(true);
            detector.detachAppender(logged);
        }
        assertThat(logged.list).extracting(ILoggingEvent::getFormattedMessage)
                .anySatisfy(line -> assertThat(line).startsWith("LEAK: ByteBuf.release() was not called"));
    }

    @Test
    void reportsNothingWhenEveryBufferIsReleased() {
        ByteBuf buffer = PooledByteBufAllocator.DEFAULT.directBuffer(128);
        buffer.writeLong(42);
        buffer.release();
        assertThat(LeakDetectionExtension.collectLeaks()).isEmpty();
    }

    private static void leakOne() {
        ByteBuf leaked = PooledByteBufAllocator.DEFAULT.directBuffer(128);
        leaked.writeLong(7);
    }
}
