package dev.forwarder.core.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The client side of a relayed connection without a socket: an accepted channel set up as {@code ServerBootstrap}
 * sets one up (auto-read off, half-closure on, then registered with the listener's initializer), whose event loop
 * the backend side shares. That loop's clock is a mock that stands still: the relay's timers (idle, queue) fire only
 * once a test advances it ({@link #advanceTimeBy}), never early because a first test is slow to load its classes.
 * What the relay writes to the client is recorded in its {@link Wire} and released at once, so nothing waits in
 * {@link #outboundMessages()}.
 */
final class EmbeddedClientChannel extends EmbeddedChannel implements TestSocket {

    private final TestSocketConfig config = new TestSocketConfig(this, true);
    private final Wire wire = new Wire();
    private final MockTicker clock;

    /** Registers at once: the initializer adds the relay, whose {@code channelActive} starts the connect. */
    EmbeddedClientChannel(ChannelHandler initializer) {
        this(Ticker.newMockTicker(), initializer);
    }

    private EmbeddedClientChannel(MockTicker clock, ChannelHandler initializer) {
        super(EmbeddedChannel.builder().ticker(clock).register(false).handlers(initializer));
        this.clock = clock;
        config.setAutoRead(false);
        try {
            register();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Moves the loop's clock on; {@link #runPendingTasks} then runs the timers now due. */
    @Override
    public void advanceTimeBy(long duration, TimeUnit unit) {
        clock.advance(duration, unit);
    }

    @Override
    public TestSocketConfig config() {
        return config;
    }

    @Override
    public Wire wire() {
        return wire;
    }

    /** As {@link TestSocket#peerSends}, through {@link #writeInbound} so that nothing runs in between. */
    @Override
    public void peerSends(String text) {
        if (!config.isAutoRead()) {
            throw new IllegalStateException("the relay is not reading the client: the bytes would wait");
        }
        writeInbound(wire.fromPeer(Unpooled.copiedBuffer(text, StandardCharsets.US_ASCII)));
    }

    @Override
    protected void handleOutboundMessage(Object msg) {
        try {
            wire.wrote((ByteBuf) msg);
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    protected void doClose() throws Exception {
        if (isOpen()) {
            wire.closed(config.linger());
        }
        super.doClose();
    }

    @Override
    public String toString() {
        return "client";
    }
}
