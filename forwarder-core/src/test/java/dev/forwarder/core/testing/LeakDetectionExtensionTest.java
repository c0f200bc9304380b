package dev.forwarder.core.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class LeakDetectionExtensionTest {

    @Test
    void reportsABufferThatWasNeverReleased() {
        leakOne();
        // The leak is found (and forgotten) here, so this class itself passes the extension's after-all check.
        assertThat(LeakDetectionExtension.collectLeaks()).anySatisfy(leak -> assertThat(leak).contains("ByteBuf"));
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
