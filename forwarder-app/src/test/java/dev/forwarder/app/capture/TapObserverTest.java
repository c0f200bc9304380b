package dev.forwarder.app.capture;

import dev.forwarder.app.TestConnection;
import dev.forwarder.core.CloseReason;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** What a tap counts of one connection's bytes, driven by hand (the relay's side is a stand-in). */
class TapObserverTest {

    private static final TapOutput DISCARD = new TapOutput() {
        @Override
        public void write(byte[] data, int from, int length) {
        }

        @Override
        public void flush() {
        }

        @Override
        public void ending() {
        }

        @Override
        public void close() {
        }
    };

    /** A text tap on no listener: the test hands its observer the chunks and the close. */
    private final Tap tap = new Taps().start(List.of(), new TapFilter(null, null, null, null),
            new TapSettings(TapSettings.Format.TEXT, TapSettings.MAX_BYTES, Duration.ofSeconds(60)), DISCARD,
            Runnable::run);
    private final TestConnection info = new TestConnection();

    @AfterEach
    void endTap() {
        tap.end("seconds");
    }

    @Test
    void bytesThatPassedUnseenAreCountedWhenTheConnectionClosesBeforeTheNextChunk() {
        chunk(true, 0, 100);
        chunk(false, 0, 50);
        // Then 4,900 bytes up and 950 down pass without the tap seeing them (it stood off the connection, which
        // spliced; it came back, and the connection closed before another chunk reached it).
        info.up = 5_000;
        info.down = 1_000;
        info.closeReason = CloseReason.CLIENT_CLOSED;
        tap.observer().detached(info);
        assertThat(tap.droppedBytesNow()).as("every byte that passed is streamed or counted as dropped")
                .isEqualTo(4_900 + 950);
    }

    @Test
    void aGapIsCountedOnceWhenTheNextChunkShowsIt() {
        chunk(true, 0, 100);
        chunk(true, 1_000, 100); // 900 passed unseen
        info.closeReason = CloseReason.CLIENT_CLOSED;
        tap.observer().detached(info);
        assertThat(tap.droppedBytesNow()).isEqualTo(900);
    }

    @Test
    void aDirectionTheTapNeverSawAChunkOfIsCountedFromWhereItJoined() {
        info.down = 500; // passed before the tap joined: not the tap's to count
        chunk(true, 0, 100);
        chunk(true, 100, 100);
        // The tap stood off before any chunk came down (its queue filled with the upload); 256 bytes up and 1,000
        // down passed meanwhile, then the connection closed.
        info.up = 456;
        info.down = 1_500;
        info.closeReason = CloseReason.BACKEND_CLOSED;
        tap.observer().detached(info);
        assertThat(tap.droppedBytesNow()).as("the direction without a chunk seen counts too").isEqualTo(256 + 1_000);
    }

    /** As the relay does: the direction's count includes the chunk before its observers see it. */
    private void chunk(boolean upstream, long offset, int n) {
        if (upstream) {
            info.up = Math.max(info.up, offset + n);
        } else {
            info.down = Math.max(info.down, offset + n);
        }
        ByteBuf data = Unpooled.wrappedBuffer(new byte[n]);
        try {
            tap.observer().bytes(info, upstream, offset, data, System.nanoTime());
        } finally {
            data.release();
        }
    }
}
