package dev.forwarder.core.relay;

import dev.forwarder.core.Addresses;
import dev.forwarder.core.Backend;
import dev.forwarder.core.CloseReason;
import dev.forwarder.core.ConnectionInfo;
import dev.forwarder.core.Waiter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.epoll.AbstractEpollStreamChannel;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.unix.Socket;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.SocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicIntegerFieldUpdater;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One relayed connection: the handler of the client channel and the state both directions share.
 *
 * <p>Every method runs on the client channel's event loop, and the backend channel is registered on that same
 * loop, so no field needs {@code volatile} or a lock (the one exception, {@link #wake}, says why). Neither side
 * reads until the backend is connected ({@code AUTO_READ} off); from then on each side reads by itself and stops
 * only while its peer is over the write-buffer high water mark, which bounds what is queued to that mark plus one
 * read loop.
 */
public final class RelayConnection extends ChannelInboundHandlerAdapter implements ConnectionInfo, Waiter {

    private static final Logger log = LoggerFactory.getLogger("dev.forwarder.connection");
    private static final AtomicLong IDS = new AtomicLong();

    private final RelayContext context;
    private final long sequence = IDS.incrementAndGet();
    private final long acceptedNanos = System.nanoTime();

    private Channel inbound;
    private Channel outbound;
    private SocketAddress client;
    private Backend backend;
    private boolean backendConnected;
    private List<Backend> failed = List.of();
    private int openChannels;
    private long bytesUp;
    private long bytesDown;
    private ConnectionState state = ConnectionState.CONNECTING;
    private CloseReason reason;
    // Epoll reads a socket that reports RDHUP even with AUTO_READ off, so a client's first bytes and even its FIN
    // can arrive while the backend is still connecting. They wait here (created only when that happens) and go
    // to whichever backend the connect finally reaches.
    private ArrayDeque<Object> earlyBytes;
    private boolean earlyClientFin;
    // When the first connect try started; the policy's deadline counts from here.
    private long firstTryNanos;
    // Set while the connection waits in its chooser's queue for a backend to free up.
    private ScheduledFuture<?> queueTimer;
    // 1 while the connection waits in its chooser's queue; volatile and swapped by CAS: the chooser calls wake()
    // from whichever thread released a backend, racing the queue timeout and the client leaving.
    private volatile int waiting;
    private static final AtomicIntegerFieldUpdater<RelayConnection> WAITING =
            AtomicIntegerFieldUpdater.newUpdater(RelayConnection.class, "waiting");
    // Idle timeout: when bytes last came in from either side (taken once per read batch), the queued byte count
    // seen at the last check (bytes still leaving count as activity), and the pending check.
    private long lastActivityNanos = acceptedNanos;
    private long pendingAtCheck;
    private ScheduledFuture<?> idleTimer;
    // Non-null on epoll with splice on: each direction's allocator, which can switch it to splice(2).
    private final SpliceSide upSplice;
    private final SpliceSide downSplice;

    public RelayConnection(RelayContext context) {
        this.context = context;
        boolean splices = context.splices();
        this.upSplice = splices ? new SpliceSide(this, true, context.pipes()) : null;
        this.downSplice = splices ? new SpliceSide(this, false, context.pipes()) : null;
    }

    // ---- ConnectionInfo -------------------------------------------------------------------------------------

    @Override
    public String id() {
        return Long.toHexString(sequence);
    }

    @Override
    public String listener() {
        return context.settings().name();
    }

    @Override
    public SocketAddress client() {
        return client;
    }

    @Override
    public Backend backend() {
        return backendConnected ? backend : null;
    }

    @Override
    public List<Backend> failedBackends() {
        return failed;
    }

    @Override
    public long bytesUp() {
        return bytesUp;
    }

    @Override
    public long bytesDown() {
        return bytesDown;
    }

    @Override
    public long bytesSpliced() {
        return (upSplice == null ? 0 : upSplice.splicedBytes()) + (downSplice == null ? 0 : downSplice.splicedBytes());
    }

    @Override
    public long acceptedNanos() {
        return acceptedNanos;
    }

    @Override
    public CloseReason closeReason() {
        return reason;
    }

    /** The backend channel, or {@code null} while none is connecting or connected. */
    public Channel backendChannel() {
        return outbound;
    }

    /** Bytes queued in this connection's two channels and not yet taken by the kernel. */
    public long pendingWriteBytes() {
        return pending(inbound) + pending(outbound) + (upSplice == null ? 0 : upSplice.queued())
                + (downSplice == null ? 0 : downSplice.queued());
    }

    private static long pending(Channel channel) {
        if (channel == null) {
            return 0;
        }
        ChannelOutboundBuffer buffer = channel.unsafe().outboundBuffer();
        return buffer == null ? 0 : buffer.totalPendingWriteBytes();
    }

    // ---- client side ----------------------------------------------------------------------------------------

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        if (upSplice != null) {
            upSplice.attach(ctx.channel());
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        inbound = ctx.channel();
        client = inbound.remoteAddress();
        openChannels = 1;
        inbound.closeFuture().addListener((ChannelFutureListener) this::channelClosed);
        context.clientChannels().add(inbound);
        if (context.idleNanos() > 0) {
            idleTimer = inbound.eventLoop().schedule(this::idleCheck, context.idleNanos(), TimeUnit.NANOSECONDS);
        }
        context.observer().accepted(this);
        connectNext();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        int bytes = 0;
        if (msg instanceof ByteBuf buf) {
            bytes = buf.readableBytes();
            bytesUp += bytes;
            context.observer().relayed(this, true, bytes);
            if (upSplice != null && upSplice.splicing()) {
                spliceRelay(upSplice, buf, inbound, outbound);
                return;
            }
        }
        if (state == ConnectionState.CONNECTING) {
            if (earlyBytes == null) {
                earlyBytes = new ArrayDeque<>(4);
            }
            earlyBytes.add(msg);
            return;
        }
        forward(msg, outbound);
        if (upSplice != null && upSplice.shouldStart(bytes)) {
            startSplice(upSplice);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        readCompleted(inbound, outbound);
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        resumeReading(inbound, outbound);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ChannelInputShutdownEvent.INSTANCE) {
            inputEnded(true);
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        failed(true, cause);
    }

    // ---- backend side, called by BackendHandler ---------------------------------------------------------------

    void backendRead(Object msg) {
        int bytes = 0;
        if (msg instanceof ByteBuf buf) {
            bytes = buf.readableBytes();
            bytesDown += bytes;
            context.observer().relayed(this, false, bytes);
            if (downSplice != null && downSplice.splicing()) {
                spliceRelay(downSplice, buf, outbound, inbound);
                return;
            }
        }
        forward(msg, inbound);
        if (downSplice != null && downSplice.shouldStart(bytes)) {
            startSplice(downSplice);
        }
    }

    void backendReadComplete() {
        readCompleted(outbound, inbound);
    }

    void backendWritabilityChanged() {
        resumeReading(outbound, inbound);
    }

    void backendInputEnded() {
        inputEnded(false);
    }

    void backendFailed(Throwable cause) {
        failed(false, cause);
    }

    // ---- connecting -------------------------------------------------------------------------------------------

    private void connectNext() {
        Backend candidate = context.chooser().choose(client, failed);
        if (candidate == null) {
            CloseReason refused = failed.isEmpty() && context.queueTimeoutNanos() > 0 ? startWaiting()
                    : failed.isEmpty() ? CloseReason.NO_BACKEND : CloseReason.CONNECT_FAILED;
            if (refused != null) {
                close(refused);
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
        long remainingMillis = TimeUnit.NANOSECONDS.toMillis(firstTryNanos + context.deadlineNanos() - now);
        if (remainingMillis <= 0) {
            // The pick must still be ended: count it as a failed connect that never started.
            context.chooser().connectFailed(candidate, new java.util.concurrent.TimeoutException("connect deadline"));
            close(CloseReason.CONNECT_FAILED);
            return;
        }
        backend = candidate;
        Channel channel = context.kit().newClientChannel(candidate.address());
        channel.config().setAutoRead(false);
        channel.config().setWriteBufferWaterMark(context.waterMark());
        channel.config().setConnectTimeoutMillis((int) Math.min(context.connectTimeoutMillis(), remainingMillis));
        channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
        // TCP_NODELAY is Netty's default for socket channels already; setting it again costs a syscall.
        // One handler per backend channel: a retry gets a new channel and a new handler.
        channel.pipeline().addLast(Pipelines.BACKEND, new BackendHandler(this));
        if (downSplice != null) {
            downSplice.attach(channel);
        }
        outbound = channel;
        openChannels++;
        channel.closeFuture().addListener((ChannelFutureListener) this::channelClosed);
        // Same loop as the client: the two channels never hand work to each other across threads.
        inbound.eventLoop().register(channel).addListener((ChannelFuture registered) -> {
            if (registered.isSuccess()) {
                channel.connect(candidate.address()).addListener((ChannelFutureListener) this::connectDone);
            } else {
                connectDone(registered);
            }
        });
    }

    // ---- idle timeout -------------------------------------------------------------------------------------------

    /**
     * Runs when the connection may have been idle for the whole timeout: no byte read from either side since
     * {@link #lastActivityNanos}, and the bytes queued towards either side (a slow reader still taking them is not
     * idle) unchanged since the last check. Otherwise it checks again when the timeout could next run out.
     */
    private void idleCheck() {
        idleTimer = null;
        if (state.compareTo(ConnectionState.CLOSING) >= 0) {
            return;
        }
        long now = System.nanoTime();
        long pending = pendingWriteBytes();
        if (pending != pendingAtCheck) {
            pendingAtCheck = pending;
            lastActivityNanos = now;
        }
        long idleFor = now - lastActivityNanos;
        if (idleFor >= context.idleNanos()) {
            close(CloseReason.IDLE_TIMEOUT);
            return;
        }
        idleTimer = inbound.eventLoop().schedule(this::idleCheck, context.idleNanos() - idleFor,
                TimeUnit.NANOSECONDS);
    }

    // ---- waiting for a backend to free up ---------------------------------------------------------------------

    /** @return {@code null} when the chooser queued this connection, else why the client is closed now */
    private CloseReason startWaiting() {
        if (queueTimer == null) {
            queueTimer = inbound.eventLoop().schedule(this::queueTimedOut, context.queueTimeoutNanos(),
                    TimeUnit.NANOSECONDS);
        }
        waiting = 1;
        CloseReason refused = context.chooser().awaitBackend(this);
        if (refused != null) {
            waiting = 0;
            cancelQueueTimer();
        }
        return refused;
    }

    /** Leaves the chooser's queue if still in it (not woken meanwhile). On the event loop. */
    private void leaveQueue() {
        if (WAITING.compareAndSet(this, 1, 0)) {
            context.chooser().cancelWait(this);
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
            context.chooser().cancelWait(this);
            close(CloseReason.QUEUE_TIMEOUT);
        }
    }

    /** Thread-safe: the chooser calls it when a backend is free, or was reserved for this connection. */
    @Override
    public boolean wake(Backend reserved) {
        // Exactly one of wake, the queue timeout and the client leaving takes the connection out of the queue.
        if (!WAITING.compareAndSet(this, 1, 0)) {
            return false;
        }
        inbound.eventLoop().execute(() -> woken(reserved));
        return true;
    }

    private void woken(Backend reserved) {
        if (state != ConnectionState.CONNECTING) {
            if (reserved != null) {
                context.chooser().abandoned(reserved);
            }
            return;
        }
        if (reserved != null) {
            cancelQueueTimer();
            connectTo(reserved);
            return;
        }
        // connectNext waits again (keeping the original timer) if the freed backend was taken meanwhile.
        connectNext();
        if (waiting == 0) {
            cancelQueueTimer();
        }
    }

    private void connectDone(ChannelFuture future) {
        Channel channel = future.channel();
        if (future.isSuccess()) {
            backendConnected = true;
            context.chooser().connected(backend);
            if (state != ConnectionState.CONNECTING) {
                channel.close();
                return;
            }
            state = ConnectionState.OPEN;
            context.observer().opened(this);
            if (log.isInfoEnabled()) {
                log.info("open conn={} listener={} client={} backend={}{}", id(), listener(), Addresses.format(client),
                        backend.name(), failed.isEmpty() ? "" : " failed=" + failed);
            }
            if (earlyBytes != null) {
                for (Object msg; (msg = earlyBytes.poll()) != null; ) {
                    channel.write(msg, channel.voidPromise());
                }
                channel.flush();
            }
            if (earlyClientFin) {
                inputEnded(true);
            }
            // From here each side reads by itself while its peer is writable: no epoll_ctl per read batch.
            setReading(channel, true);
            setReading(inbound, true);
            return;
        }
        Backend refused = backend;
        backend = null;
        outbound = null;
        channel.close();
        context.chooser().connectFailed(refused, future.cause());
        if (failed.isEmpty()) {
            failed = new ArrayList<>(context.connectTries());
        }
        failed.add(refused);
        if (log.isDebugEnabled()) {
            log.debug("connect failed conn={} backend={} cause={}", id(), refused.name(), describe(future.cause()));
        }
        boolean beforeDeadline = System.nanoTime() - firstTryNanos < context.deadlineNanos();
        if (state == ConnectionState.CONNECTING && failed.size() < context.connectTries() && beforeDeadline) {
            connectNext();
        } else {
            close(CloseReason.CONNECT_FAILED);
        }
    }

    // ---- relaying ---------------------------------------------------------------------------------------------

    private void forward(Object msg, Channel to) {
        if (to == null || state == ConnectionState.CLOSING || state == ConnectionState.CLOSED) {
            ReferenceCountUtil.release(msg);
            return;
        }
        // A failed write reaches exceptionCaught of the target's pipeline, which closes the connection.
        to.write(msg, to.voidPromise());
    }

    // ---- splicing (epoll) --------------------------------------------------------------------------------------

    private void startSplice(SpliceSide side) {
        if (state.compareTo(ConnectionState.CLOSING) >= 0) {
            return;
        }
        try {
            side.start();
        } catch (IOException e) {
            if (log.isDebugEnabled()) {
                log.debug("splice unavailable, copying conn={} cause={}", id(), describe(e));
            }
        }
    }

    private void spliceRelay(SpliceSide side, ByteBuf prefix, Channel from, Channel to) {
        if (to == null || state.compareTo(ConnectionState.CLOSING) >= 0) {
            prefix.release();
            return;
        }
        try {
            side.relay(prefix, from, to);
        } catch (IOException e) {
            failed(from == inbound, e);
        }
    }

    /** {@code bytes} more went into a pipe: counted as relayed, like a read. */
    void spliced(boolean upstream, int bytes) {
        if (upstream) {
            bytesUp += bytes;
        } else {
            bytesDown += bytes;
        }
        context.observer().relayed(this, upstream, bytes);
    }

    /** The pipe of one direction emptied into its target after that target was full: its source reads again. */
    void spliceDrained(boolean upstream) {
        Channel from = upstream ? inbound : outbound;
        Channel to = upstream ? outbound : inbound;
        if (from != null && to != null) {
            setReading(from, to.isWritable());
        }
    }

    private int spliceQueued(Channel channel) {
        SpliceSide side = channel == inbound ? upSplice : downSplice;
        return side == null ? 0 : side.queued();
    }

    private void readCompleted(Channel from, Channel to) {
        if (idleTimer != null) {
            // One clock read per read batch, and none when there is no idle timeout.
            lastActivityNanos = System.nanoTime();
        }
        if (to == null || state == ConnectionState.CONNECTING) {
            return;
        }
        to.flush();
    }

    /**
     * {@code writer} filled past its high water mark or drained under its low one: its peer stops or resumes
     * reading. This is the only place reads are switched once both sides are connected.
     */
    private void resumeReading(Channel writer, Channel reader) {
        if (writer != null && reader != null && state != ConnectionState.CONNECTING) {
            setReading(reader, writer.isWritable());
        }
    }

    private void setReading(Channel channel, boolean reading) {
        if (!reading) {
            channel.config().setAutoRead(false);
        } else if (state.compareTo(ConnectionState.CLOSING) < 0 && !((DuplexChannel) channel).isInputShutdown()
                && spliceQueued(channel) == 0) {
            // Never resume a side whose input is shut down: there is nothing left to read. A side whose pipe still
            // holds bytes resumes once it has emptied (spliceDrained).
            channel.config().setAutoRead(true);
        }
    }

    /** One side sent FIN: pass it on once everything it sent has been flushed, or end if the other side had too. */
    private void inputEnded(boolean upstream) {
        Channel peer = upstream ? outbound : inbound;
        switch (state) {
            case CONNECTING -> earlyClientFin = upstream;
            case OPEN -> {
                state = upstream ? ConnectionState.CLIENT_DONE : ConnectionState.BACKEND_DONE;
                reason = upstream ? CloseReason.CLIENT_CLOSED : CloseReason.BACKEND_CLOSED;
                peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) RelayConnection::shutdownOutput);
            }
            case CLIENT_DONE, BACKEND_DONE -> {
                boolean otherSideAlreadyDone = (state == ConnectionState.CLIENT_DONE) != upstream;
                if (otherSideAlreadyDone) {
                    state = ConnectionState.CLOSING;
                    peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(f -> closeChannels());
                }
            }
            default -> {
                // CLOSING or CLOSED: already ending.
            }
        }
    }

    private static void shutdownOutput(ChannelFuture flushed) {
        if (flushed.isSuccess()) {
            Channel channel = flushed.channel();
            // Nothing more will be written to this side; its own FIN now ends the connection. Without half-closure
            // Netty closes it at that FIN instead of shutting its input down first, which on a socket whose both
            // FINs are through fails (ENOTCONN) and costs an exception per connection; channelClosed ends it.
            channel.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, false);
            if (channel instanceof AbstractEpollStreamChannel epoll) {
                // Netty's shutdownOutput() builds an exception with a stack trace per call (to fail writes still
                // queued; there are none, the flush is done): on epoll the socket is shut directly, through
                // Netty's own socket object, so the channel still reports isOutputShutdown().
                try {
                    ((Socket) epoll.fd()).shutdown(false, true);
                } catch (IOException e) {
                    // The peer is gone already (reset): its FIN or error ends the connection.
                }
            } else {
                ((DuplexChannel) channel).shutdownOutput();
            }
        }
    }

    private void failed(boolean clientSide, Throwable cause) {
        if (log.isDebugEnabled()) {
            log.debug("error conn={} side={} cause={}", id(), clientSide ? "client" : "backend", describe(cause));
        }
        close(CloseReason.ERROR);
    }

    /** Ends the connection now, dropping what is still queued. */
    public void close(CloseReason why) {
        if (state == ConnectionState.CLOSING || state == ConnectionState.CLOSED) {
            return;
        }
        if (reason == null || state == ConnectionState.CONNECTING || state == ConnectionState.OPEN) {
            reason = why;
        }
        state = ConnectionState.CLOSING;
        leaveQueue();
        closeChannels();
    }

    private void closeChannels() {
        inbound.close();
        if (outbound != null) {
            outbound.close();
        }
    }

    private void channelClosed(ChannelFuture closed) {
        Channel channel = closed.channel();
        if (state.compareTo(ConnectionState.CLOSING) < 0) {
            if ((channel == inbound && state == ConnectionState.BACKEND_DONE)
                    || (channel == outbound && state == ConnectionState.CLIENT_DONE)) {
                // The side whose output was shut after the other's FIN closed at its own FIN (see shutdownOutput):
                // the normal end. What it sent last is flushed to the peer before the peer closes.
                inputEnded(channel == inbound);
            } else if (channel == inbound) {
                // A side closed without a FIN first (reset, or closed by Netty): end the whole connection.
                close(CloseReason.CLIENT_CLOSED);
            } else if (channel == outbound) {
                close(CloseReason.BACKEND_CLOSED);
            }
        }
        if (--openChannels == 0) {
            finish();
        }
    }

    private void finish() {
        state = ConnectionState.CLOSED;
        if (idleTimer != null) {
            idleTimer.cancel(false);
            idleTimer = null;
        }
        if (earlyBytes != null) {
            earlyBytes.forEach(ReferenceCountUtil::release);
            earlyBytes.clear();
        }
        if (upSplice != null) {
            upSplice.close();
            downSplice.close();
        }
        if (reason == null) {
            reason = CloseReason.ERROR;
        }
        if (backendConnected) {
            context.chooser().released(backend);
        }
        context.observer().closed(this);
        if (log.isInfoEnabled()) {
            log.info("close conn={} listener={} client={} backend={} bytes_up={} bytes_down={} duration_ms={} "
                            + "reason={}{}{}", id(), listener(), Addresses.format(client),
                    backendConnected ? backend.name() : "-", bytesUp, bytesDown,
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - acceptedNanos), reason.label(),
                    failed.isEmpty() ? "" : " failed=" + failed, splicedSuffix());
        }
    }

    private String splicedSuffix() {
        long spliced = bytesSpliced();
        return spliced == 0 ? "" : " spliced=" + spliced;
    }

    private static String describe(Throwable cause) {
        if (cause == null) {
            return "-";
        }
        String message = cause.getMessage();
        String type = cause instanceof IOException ? cause.getClass().getSimpleName() : cause.getClass().getName();
        return message == null ? type : type + ": " + message;
    }

    @Override
    public String toString() {
        return "conn=" + id() + " client=" + Addresses.format(client) + " backend=" + (backend == null ? "-" : backend.name())
                + " state=" + state;
    }
}
