package dev.forwarder.app.loadtest;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * Bulk load from one connection: writes {@code size}-byte chunks for as long as the channel stays writable, and
 * counts what the peer sends back (an echo server sends it all back; a discarding one, nothing). Bytes sent are
 * counted when their write completes, that is once the kernel has taken them.
 *
 * <p>Every field is touched only on {@link #loop}, so none needs to be volatile.
 */
final class BulkWorker implements Worker, ClientHandler.Listener {

    /** Writes per turn on the event loop before the worker lets the loop serve other channels. */
    private static final int WRITES_PER_TURN = 64;

    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final InetSocketAddress target;
    private final ByteBuf payload;
    private final Stats stats;
    private final ChannelFutureListener countSent;

    private Channel channel;
    private boolean connected;
    private boolean stopped;
    private boolean pumpQueued;

    BulkWorker(EventLoop loop, Bootstrap bootstrap, InetSocketAddress target, ByteBuf payload, Stats stats) {
        this.loop = loop;
        this.bootstrap = bootstrap.clone(loop).handler(new ClientHandler(this));
        this.target = target;
        this.payload = payload;
        this.stats = stats;
        int chunk = payload.readableBytes();
        this.countSent = f -> {
            if (f.isSuccess()) {
                stats.sent(chunk);
            }
        };
    }

    @Override
    public void start() {
        loop.execute(this::connect);
    }

    @Override
    public Future<Boolean> stop() {
        Promise<Boolean> closed = loop.newPromise();
        loop.execute(() -> {
            boolean outstanding = false;
            stopped = true;
            Channel open = channel;
            channel = null;
            Worker.closeThen(open, closed, outstanding);
        });
        return closed;
    }

    private void connect() {
        if (stopped) {
            return;
        }
        connected = false;
        ChannelFuture connect = bootstrap.connect(target);
        channel = connect.channel();
        connect.addListener(f -> {
            if (connect.channel() != channel || stopped) {
                return;
            }
            if (f.isSuccess()) {
                connected = true;
                queuePump();
            } else {
                fail(ErrorKind.ofConnect(f.cause()));
            }
        });
    }

    /**
     * Pumps on a later turn of the loop, once: a flush inside {@link #pump} can fire a writability change that
     * would otherwise call it again from within itself.
     */
    private void queuePump() {
        if (!pumpQueued) {
            pumpQueued = true;
            loop.execute(this::pump);
        }
    }

    private void pump() {
        pumpQueued = false;
        if (stopped || channel == null || !connected) {
            return;
        }
        Channel ch = channel;
        int writes = 0;
        while (ch.isWritable() && writes++ < WRITES_PER_TURN) {
            ch.write(payload.retainedDuplicate()).addListener(countSent);
        }
        ch.flush();
        if (ch.isWritable()) {
            queuePump();
        }
    }

    @Override
    public void onWritable(Channel ch) {
        if (ch == channel) {
            queuePump();
        }
    }

    @Override
    public void onRead(Channel ch, int bytes) {
        if (ch == channel && !stopped) {
            stats.received(bytes);
        }
    }

    @Override
    public void onInactive(Channel ch) {
        if (ch == channel && !stopped) {
            fail(connected ? ErrorKind.SHORT_READ : ErrorKind.CONNECT_FAILED);
        }
    }

    @Override
    public void onError(Channel ch, Throwable cause) {
        if (ch == channel && !stopped) {
            fail(connected ? ErrorKind.ofIo(cause) : ErrorKind.ofConnect(cause));
        }
    }

    private void fail(ErrorKind kind) {
        stats.error(kind);
        Channel failed = channel;
        channel = null;
        connected = false;
        if (failed != null) {
            failed.close();
        }
        loop.schedule(this::connect, RequestWorker.RETRY_DELAY_NANOS, TimeUnit.NANOSECONDS);
    }
}
