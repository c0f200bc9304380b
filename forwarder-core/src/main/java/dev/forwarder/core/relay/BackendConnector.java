package dev.forwarder.core.relay;

import dev.forwarder.core.Backend;
import dev.forwarder.core.BackendChooser;
import dev.forwarder.core.ChoiceNote;
import dev.forwarder.core.CloseReason;
import dev.forwarder.core.ConnectPolicy;
import dev.forwarder.core.ConnectionHandlers;
import dev.forwarder.core.Waiter;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelOption;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;

/**
 * How one connection reaches a backend: choose, connect, try another on failure within the policy's tries and
 * deadline, or wait in the chooser's queue while every backend is full. Every pick it makes ends with exactly one
 * outcome: {@code connectFailed} only for a real refusal, timeout or unreachable backend; {@code abandoned} when the
 * connection itself gives the pick up (its client left, a timeout, shutdown); {@code released} after a connect.
 *
 * <p>On the connection's event loop, but for {@link #wake}.
 */
final class BackendConnector implements Waiter, ChoiceNote {

    private static final Logger log = LoggerFactory.getLogger(ConnectionLog.LOGGER);
    private static final AtomicIntegerFieldUpdater<BackendConnector> WAITING =
            AtomicIntegerFieldUpdater.newUpdater(BackendConnector.class, "waiting");

    private final RelayConnection connection;
    private final RelayContext context;
    // The listener's, or the one a client-side handler named at start (a pool picked by TLS server name).
    private BackendChooser chooser;
    private ConnectPolicy policy;
    // Read once per connection, like the policy: a reload that changes them affects the next connection whole.
    private ConnectionHandlers handlers;
    private long deadlineNanos;
    private List<Backend> failed = List.of();
    private long firstTryNanos;
    private long tryNanos;
    // The pick whose connect is under way: its outcome is still owed to the chooser.
    private Backend pick;
    private Backend connected;
    private boolean started;
    private boolean cutByDeadline;
    private ScheduledFuture<?> queueTimer;
    // 1 while the connection waits in the chooser's queue. Swapped by CAS: the chooser calls wake() from whichever
    // thread freed a backend, racing the queue timeout and the client leaving; exactly one of them wins.
    private volatile int waiting;
    // What the chooser noted at the last pick: a few values, put into words only when asked (choice()).
    private Reason choiceReason;
    private Backend choiceFirst;
    private Backend choiceSecond;
    private long choiceA;
    private long choiceB;
    private long choiceC;
    private static final Reason FROM_QUEUE = (first, second, a, b, c) -> "queue (woken with a free slot)";

    BackendConnector(RelayConnection connection, RelayContext context) {
        this.connection = connection;
        this.context = context;
        this.chooser = context.chooser();
        this.policy = context.policy();
        this.handlers = chooser.backendHandlers();
        this.deadlineNanos = policy.deadline().toNanos();
    }

    /** The chooser's backend-side handlers for this connection, or {@code null}. */
    ConnectionHandlers handlers() {
        return handlers;
    }

    List<Backend> failed() {
        return failed;
    }

    /** The backend connected to, or {@code null}. */
    Backend connected() {
        return connected;
    }

    @Override
    public void note(Reason reason, Backend first, Backend second, long a, long b, long c) {
        choiceReason = reason;
        choiceFirst = first;
        choiceSecond = second;
        choiceA = a;
        choiceB = b;
        choiceC = c;
    }

    /** Why the last pick went where it went, in words, or {@code null} when nothing was noted. */
    String choice() {
        Reason reason = choiceReason;
        return reason == null ? null : reason.describe(choiceFirst, choiceSecond, choiceA, choiceB, choiceC);
    }

    /** Chooses and connects; once per connection (a second ClientReadyEvent changes nothing). */
    void start() {
        start(null);
    }

    /** As {@link #start()}, choosing with {@code other} instead of the listener's chooser unless it is null. */
    void start(BackendChooser other) {
        if (!started) {
            started = true;
            if (other != null && other != chooser) {
                chooser = other;
                ConnectPolicy own = other.connectPolicy();
                policy = own != null ? own : policy;
                handlers = other.backendHandlers();
                deadlineNanos = policy.deadline().toNanos();
            }
            connectNext();
        }
    }

    private void connectNext() {
        if (!failed.isEmpty() && System.nanoTime() - firstTryNanos >= deadlineNanos) {
            // The deadline is gone: pick nothing, so no backend is blamed for a try that never happened.
            connection.close(CloseReason.CONNECT_FAILED);
            return;
        }
        Backend candidate = chooser.choose(connection.client(), failed, this);
        if (candidate == null) {
            CloseReason refused = !failed.isEmpty() ? CloseReason.CONNECT_FAILED
                    : policy.queueTimeout().isZero() ? CloseReason.NO_BACKEND : startWaiting();
            if (refused != null) {
                connection.close(refused);
            }
            return;
        }
        connectTo(candidate);
    }

    private void connectTo(Backend candidate) {
        long now = System.nanoTime();
        if (failed.isEmpty()) {
            firstTryNanos = now;
        }
        long remaining = firstTryNanos + deadlineNanos - now;
        if (remaining <= 0) {
            chooser.abandoned(candidate);
            connection.close(CloseReason.CONNECT_FAILED);
            return;
        }
        pick = candidate;
        tryNanos = now;
        Channel channel = context.backendChannels().newChannel(candidate.address());
        channel.config().setAutoRead(false);
        channel.config().setWriteBufferWaterMark(context.waterMark());
        long remainingMillis = Math.max(1, TimeUnit.NANOSECONDS.toMillis(remaining));
        int timeoutMillis = context.connectTimeoutMillis(policy);
        // A try the deadline cuts short that times out says nothing against the backend: it was not given its time.
        cutByDeadline = remainingMillis < timeoutMillis;
        channel.config().setConnectTimeoutMillis((int) Math.min(timeoutMillis, remainingMillis));
        channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        // TCP_NODELAY is Netty's default for socket channels already; setting it again costs a syscall.
        if (handlers != null) {
            handlers.addTo(channel.pipeline(), connection);
        }
        // One handler per backend channel: a retry gets a new channel and a new handler.
        channel.pipeline().addLast(Pipelines.BACKEND, new BackendHandler(connection));
        connection.backendChannel(channel);
        // Same loop as the client: the two channels never hand work to each other across threads.
        connection.eventLoop().register(channel).addListener((ChannelFuture registered) -> {
            if (registered.isSuccess()) {
                // The listener first: a connect that completes at once must not find it missing.
                io.netty.channel.ChannelPromise connecting = channel.newPromise();
                connecting.addListener((ChannelFutureListener) this::connectDone);
                channel.connect(candidate.address(), connecting);
            } else {
                connectDone(registered);
            }
        });
    }

    private void connectDone(ChannelFuture future) {
        if (!connection.isConnecting()) {
            // The connection ended meanwhile (and closed this channel): the pick is abandoned in ended().
            return;
        }
        Backend tried = pick;
        pick = null;
        if (future.isSuccess()) {
            // Relaying starts at the backend channel's channelActive, after the handlers in front of it (a PROXY
            // header, a TLS handshake) had theirs: Netty completes the connect promise first.
            connected = tried;
            long now = System.nanoTime();
            connection.connected(now);
            chooser.connected(tried);
            connection.observer().connectTried(connection, tried, true, now - tryNanos);
            return;
        }
        connection.backendChannelFailed(future.channel());
        if (cutByDeadline && future.cause() instanceof io.netty.channel.ConnectTimeoutException) {
            chooser.abandoned(tried);
            connection.close(CloseReason.CONNECT_FAILED);
            return;
        }
        chooser.connectFailed(tried, future.cause());
        connection.observer().connectTried(connection, tried, false, System.nanoTime() - tryNanos);
        if (failed.isEmpty()) {
            failed = new ArrayList<>(policy.tries());
        }
        failed.add(tried);
        if (log.isDebugEnabled()) {
            log.debug("connect failed conn={} backend={} cause={}", connection.id(), tried.name(),
                    ConnectionLog.describe(future.cause()));
        }
        if (failed.size() < policy.tries()) {
            connectNext();
        } else {
            // A backend-side TLS handshake fails the connect (see dev.forwarder.core.tls): the last try says why.
            connection.close(future.cause() instanceof javax.net.ssl.SSLException
                    ? CloseReason.TLS_HANDSHAKE_FAILED : CloseReason.CONNECT_FAILED);
        }
    }

    /** The connection ended: a pick still under way gets its outcome (none), a queued wait ends. */
    void ended() {
        leaveQueue();
        if (pick != null) {
            Backend abandoned = pick;
            pick = null;
            chooser.abandoned(abandoned);
        }
        if (connected != null) {
            chooser.released(connected);
        }
    }

    // ---- waiting for a backend to free up ---------------------------------------------------------------------

    /** @return {@code null} when the chooser queued this connection, else why the client is closed now */
    private CloseReason startWaiting() {
        if (queueTimer == null) {
            queueTimer = connection.eventLoop().schedule(this::queueTimedOut, policy.queueTimeout().toNanos(),
                    TimeUnit.NANOSECONDS);
        }
        waiting = 1;
        CloseReason refused = chooser.awaitBackend(this);
        if (refused != null) {
            waiting = 0;
            cancelQueueTimer();
        }
        return refused;
    }

    /** Whether the connection waits in the chooser's queue now. */
    boolean isQueued() {
        return waiting == 1;
    }

    /** Leaves the chooser's queue if still in it (not woken meanwhile). */
    void leaveQueue() {
        if (WAITING.compareAndSet(this, 1, 0)) {
            chooser.cancelWait(this);
        }
        cancelQueueTimer();
    }

    private void cancelQueueTimer() {
        if (queueTimer != null) {
            queueTimer.cancel(false);
            queueTimer = null;
        }
    }

    private void queueTimedOut() {
        queueTimer = null;
        if (WAITING.compareAndSet(this, 1, 0)) {
            chooser.cancelWait(this);
            connection.close(CloseReason.QUEUE_TIMEOUT);
        }
    }

    /** Thread-safe: the chooser calls it when a backend is free, or was reserved for this connection. */
    @Override
    public boolean wake(Backend reserved) {
        if (!WAITING.compareAndSet(this, 1, 0)) {
            return false;
        }
        try {
            connection.eventLoop().execute(() -> woken(reserved));
        } catch (java.util.concurrent.RejectedExecutionException stopped) {
            // The event loops are shutting down: this connection takes nothing, the chooser keeps its slot.
            return false;
        }
        return true;
    }

    private void woken(Backend reserved) {
        if (!connection.isConnecting()) {
            if (reserved != null) {
                chooser.abandoned(reserved);
            }
            return;
        }
        if (reserved != null) {
            cancelQueueTimer();
            note(FROM_QUEUE, null, null, 0, 0, 0);
            connectTo(reserved);
            return;
        }
        // connectNext waits again (keeping the original timer) if the freed backend was taken meanwhile.
        connectNext();
        if (waiting == 0) {
            cancelQueueTimer();
        }
    }
}
