package dev.forwarder.app.loadtest;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;

import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * Request/response load from one connection: send {@code size} bytes, wait for {@code size} bytes back, repeat.
 * In rr the connection is kept (and reopened after an error); in churn each request opens its own connection,
 * and its latency includes the connect.
 *
 * <p>Every field is touched only on {@link #loop}, so none needs to be volatile.
 */
final class RequestWorker implements Worker, ClientHandler.Listener {

    /** Pause after a failed connect, so a closed port is not hammered in a tight loop. */
    static final long RETRY_DELAY_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long TIMEOUT_CHECK_MILLIS = 50;

    private enum State { IDLE, WAITING, CONNECTING, SENT, STOPPED }

    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final InetSocketAddress target;
    private final ByteBuf payload;
    private final boolean keepConnection;
    private final Pacer pacer;
    private final Stats stats;
    private final long timeoutNanos;

    private State state = State.IDLE;
    private Channel channel;
    private long intendedNanos;
    private long sentNanos;
    private int remaining;
    private ScheduledFuture<?> timeoutCheck;

    /**
     * @param bootstrap a bootstrap whose group is {@code loop}; the worker sets its handler
     * @param payload   what each request sends; shared and never modified, so it goes out as retained duplicates
     */
    RequestWorker(EventLoop loop, Bootstrap bootstrap, InetSocketAddress target, ByteBuf payload,
            boolean keepConnection, Pacer pacer, Stats stats, long timeoutNanos) {
        this.loop = loop;
        this.bootstrap = bootstrap.clone(loop).handler(new ClientHandler(this));
        this.target = target;
        this.payload = payload;
        this.keepConnection = keepConnection;
        this.pacer = pacer;
        this.stats = stats;
        this.timeoutNanos = timeoutNanos;
    }

    @Override
    public void start() {
        loop.execute(() -> {
            timeoutCheck = loop.scheduleAtFixedRate(this::checkTimeout, TIMEOUT_CHECK_MILLIS, TIMEOUT_CHECK_MILLIS,
                    TimeUnit.MILLISECONDS);
            next();
        });
    }

    @Override
    public Future<Boolean> stop() {
        Promise<Boolean> closed = loop.newPromise();
        loop.execute(() -> {
            boolean outstanding = state == State.SENT || state == State.CONNECTING;
            state = State.STOPPED;
            if (timeoutCheck != null) {
                timeoutCheck.cancel(false);
            }
            Channel open = channel;
            channel = null;
            Worker.closeThen(open, closed, outstanding);
        });
        return closed;
    }

    private void next() {
        if (state == State.STOPPED) {
            return;
        }
        long now = System.nanoTime();
        intendedNanos = pacer.next(now);
        long delay = intendedNanos - now;
        if (delay > 0) {
            state = State.WAITING;
            loop.schedule(this::begin, delay, TimeUnit.NANOSECONDS);
        } else {
            begin();
        }
    }

    private void begin() {
        if (state == State.STOPPED) {
            return;
        }
        if (channel != null && channel.isActive()) {
            send();
            return;
        }
        state = State.CONNECTING;
        ChannelFuture connect = bootstrap.connect(target);
        channel = connect.channel();
        connect.addListener(f -> {
            if (connect.channel() != channel || state != State.CONNECTING) {
                return;
            }
            if (f.isSuccess()) {
                send();
            } else {
                fail(ErrorKind.ofConnect(f.cause()), RETRY_DELAY_NANOS);
            }
        });
    }

    private void send() {
        state = State.SENT;
        remaining = payload.readableBytes();
        sentNanos = System.nanoTime();
        channel.writeAndFlush(payload.retainedDuplicate(), channel.voidPromise());
        stats.sent(remaining);
    }

    @Override
    public void onRead(Channel ch, int bytes) {
        if (ch != channel || state == State.STOPPED) {
            return;
        }
        stats.received(bytes);
        if (state != State.SENT || bytes > remaining) {
            fail(ErrorKind.UNEXPECTED_BYTES, 0);
            return;
        }
        remaining -= bytes;
        if (remaining == 0) {
            stats.request(System.nanoTime() - intendedNanos);
            state = State.IDLE;
            if (!keepConnection) {
                Channel done = channel;
                channel = null;
                done.close();
            }
            next();
        }
    }

    @Override
    public void onInactive(Channel ch) {
        if (ch != channel || state == State.STOPPED) {
            return;
        }
        if (state == State.SENT) {
            fail(ErrorKind.SHORT_READ, 0);
        } else if (state != State.CONNECTING) {
            // The peer closed a kept connection between requests: reconnect for the next one, no error.
            channel = null;
        }
    }

    @Override
    public void onError(Channel ch, Throwable cause) {
        if (ch != channel || state == State.STOPPED) {
            return;
        }
        fail(state == State.CONNECTING ? ErrorKind.ofConnect(cause) : ErrorKind.ofIo(cause), 0);
    }

    private void checkTimeout() {
        if (state == State.SENT && System.nanoTime() - sentNanos > timeoutNanos) {
            fail(ErrorKind.TIMEOUT, 0);
        }
    }

    /** Counts the error, drops the connection, and goes on with the next request after {@code delayNanos}. */
    private void fail(ErrorKind kind, long delayNanos) {
        stats.error(kind);
        Channel failed = channel;
        channel = null;
        if (failed != null) {
            failed.close();
        }
        state = State.IDLE;
        if (delayNanos > 0) {
            state = State.WAITING;
            loop.schedule(this::next, delayNanos, TimeUnit.NANOSECONDS);
        } else {
            next();
        }
    }
}
