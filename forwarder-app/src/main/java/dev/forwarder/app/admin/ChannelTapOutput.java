package dev.forwarder.app.admin;

import dev.forwarder.app.capture.TapOutput;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.LastHttpContent;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * A live tap's body on the admin connection, as HTTP chunks of up to {@value #CHUNK} bytes written by the tap's
 * writer thread. Before each chunk it waits until the channel is writable, i.e. until the client has taken what the
 * channel's write buffer held (its high water mark, 64 KiB): so the admin connection never queues more than that
 * ahead of its client, and a client that stops reading stops the writer, whose queue then fills and drops (the
 * relay is never waited for). Once the tap has ended, a client that takes nothing for {@value #ENDING_WAIT_SECONDS}
 * s loses the rest and is disconnected.
 */
final class ChannelTapOutput implements TapOutput {

    private static final Logger log = LoggerFactory.getLogger(ChannelTapOutput.class);

    static final int CHUNK = 64 * 1024;
    static final long ENDING_WAIT_SECONDS = 30;

    private final Channel channel;
    private final Object lock = new Object();
    // Writer thread only.
    private byte[] buffer = new byte[CHUNK];
    private int size;
    private boolean abandoned;
    private volatile long endingSince;
    private volatile boolean ending;

    ChannelTapOutput(Channel channel) {
        this.channel = channel;
    }

    /** The handler that wakes the writer when the channel turns writable or closes; after the admin handler. */
    ChannelInboundHandlerAdapter wakeUps() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelWritabilityChanged(ChannelHandlerContext ctx) {
                wake();
                ctx.fireChannelWritabilityChanged();
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                wake();
                ctx.fireChannelInactive();
            }
        };
    }

    private void wake() {
        synchronized (lock) {
            lock.notifyAll();
        }
    }

    @Override
    public void write(byte[] data, int from, int length) {
        while (length > 0) {
            int n = Math.min(length, CHUNK - size);
            System.arraycopy(data, from, buffer, size, n);
            size += n;
            from += n;
            length -= n;
            if (size == CHUNK) {
                send();
            }
        }
    }

    @Override
    public void flush() {
        if (size > 0) {
            send();
        }
    }

    private void send() {
        byte[] chunk = buffer;
        int length = size;
        buffer = new byte[CHUNK];
        size = 0;
        if (abandoned || !awaitWritable()) {
            if (!abandoned && channel.isActive()) {
                log.info("tap client cut: took nothing for {} s after the tap ended remote={}", ENDING_WAIT_SECONDS,
                        channel.remoteAddress());
            }
            abandoned = true;
            return;
        }
        channel.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(chunk, 0, length)));
    }

    private boolean awaitWritable() {
        long since = System.nanoTime();
        synchronized (lock) {
            while (channel.isActive() && !channel.isWritable()) {
                if (ending && System.nanoTime() - Math.max(since, endingSince)
                        >= TimeUnit.SECONDS.toNanos(ENDING_WAIT_SECONDS)) {
                    return false;
                }
                try {
                    // Bounded: a wake-up lost between the check and the wait costs 100 ms at most.
                    lock.wait(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
        }
        return channel.isActive();
    }

    @Override
    public void ending() {
        endingSince = System.nanoTime();
        ending = true;
        wake();
    }

    @Override
    public void close() {
        flush();
        if (abandoned || !channel.isActive()) {
            channel.close();
            return;
        }
        ChannelFuture last = channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT)
                .addListener(ChannelFutureListener.CLOSE);
        closeIfStalled(last, -1);
    }

    /** A client that takes nothing of the rest for {@value #ENDING_WAIT_SECONDS} s is not waited for. */
    private void closeIfStalled(ChannelFuture last, long pendingBefore) {
        try {
            channel.eventLoop().schedule(() -> {
                if (last.isDone()) {
                    return;
                }
                ChannelOutboundBuffer pending = channel.unsafe().outboundBuffer();
                long now = pending == null ? 0 : pending.totalPendingWriteBytes();
                if (now == pendingBefore) {
                    log.info("tap client cut: took nothing of the last bytes remote={} pending_bytes={}",
                            channel.remoteAddress(), now);
                    channel.close();
                } else {
                    closeIfStalled(last, now);
                }
            }, ENDING_WAIT_SECONDS, TimeUnit.SECONDS);
        } catch (RejectedExecutionException shuttingDown) {
            channel.close();
        }
    }
}
