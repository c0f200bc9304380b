package dev.forwarder.core.relay;

import dev.forwarder.core.Addresses;
import dev.forwarder.core.Backend;
import dev.forwarder.core.ClientReadyEvent;
import dev.forwarder.core.CloseReason;
import dev.forwarder.core.CloseRequestEvent;
import dev.forwarder.core.ConnectionInfo;
import dev.forwarder.core.ConnectionObserver;
import dev.forwarder.core.ConnectionState;
import dev.forwarder.core.FirstClose;
import dev.forwarder.core.TrafficObserver;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.SocketAddress;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One relayed connection: the client channel's handler, what both directions share (the state, why it ended),
 * and the view observers get ({@link ConnectionInfo}). The work is split: {@link BackendConnector} chooses and
 * connects, a {@link Direction} per side relays, {@link HalfClose} passes FINs on and {@link Aborts} ends a
 * connection, resetting where bytes were lost.
 *
 * <p>Every method runs on the client channel's event loop, and the backend channel is registered on that same loop,
 * so no field needs {@code volatile} or a lock.
 */
public final class RelayConnection extends ChannelInboundHandlerAdapter implements ConnectionInfo {

    private static final Logger log = LoggerFactory.getLogger(ConnectionLog.LOGGER);
    private static final AtomicLong IDS = new AtomicLong();

    private final RelayContext context;
    private final ConnectionObserver observer;
    private final long sequence = IDS.incrementAndGet();
    private String id;
    private final long acceptedNanos = System.nanoTime();
    private final Direction up;
    private final Direction down;
    private final BackendConnector connector;
    private Channel inbound;
    private Channel outbound;
    private EventLoop loop;
    private SocketAddress client;
    // Where a PROXY header said the client connected to; null for the listener's own address.
    private SocketAddress destination;
    // What the client-side TLS handshake settled, for the close line and the live view; null without TLS.
    private String tls;
    private long acceptedMillis;
    private int openChannels;
    ConnectionState state = ConnectionState.CONNECTING;
    private CloseReason reason;
    private FirstClose firstClose;
    private long connectedNanos;
    // What the client sends before the backend is connected, and whether its FIN came too.
    private EarlyBytes early;
    boolean earlyClientFin;
    private IdleTimer idle;
    // CLOSING after both FINs, waiting for the last flush (see HalfClose): an abort may still cut it.
    private boolean flushingLastBytes;
    // Set by a summary observer on the event loop, read by the admin API from other threads.
    private volatile String summary;

    public RelayConnection(RelayContext context) {
        this.context = context;
        this.observer = context.observer();
        this.connector = new BackendConnector(this, context);
        PipeBudget pipes = context.splicePipes(connector.handlers());
        this.up = new Direction(this, true, pipes);
        this.down = new Direction(this, false, pipes);
    }

    // ---- ConnectionInfo -------------------------------------------------------------------------------------

    @Override
    public String id() {
        // Built once: the log lines, the registry and observers all ask for it.
        String hex = id;
        if (hex == null) {
            hex = Long.toHexString(sequence);
            id = hex;
        }
        return hex;
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
    public SocketAddress destination() {
        return destination != null ? destination : inbound == null ? null : inbound.localAddress();
    }

    @Override
    public Backend backend() {
        return connector.connected();
    }

    @Override
    public List<Backend> failedBackends() {
        return connector.failed();
    }

    @Override
    public long bytesUp() {
        return up.bytes();
    }

    @Override
    public long bytesDown() {
        return down.bytes();
    }

    @Override
    public long bytesSpliced() {
        return up.splicedBytes() + down.splicedBytes();
    }

    @Override
    public String tls() {
        return tls;
    }

    @Override
    public long acceptedNanos() {
        return acceptedNanos;
    }

    @Override
    public CloseReason closeReason() {
        return reason;
    }

    @Override
    public String summary() {
        return summary;
    }

    /** Attaches what the connection's first bytes say (see {@link ConnectionInfo#summary()}). Any thread. */
    public void summary(String text) {
        summary = text;
    }

    @Override
    public String choice() {
        return connector.choice();
    }

    @Override
    public long acceptedMillis() {
        return acceptedMillis;
    }

    @Override
    public long connectedNanos() {
        return connectedNanos;
    }

    @Override
    public long firstUpNanos() {
        return up.firstReadNanos();
    }

    @Override
    public long firstDownNanos() {
        return down.firstReadNanos();
    }

    @Override
    public FirstClose firstClose() {
        return firstClose;
    }

    /** The backend connect succeeded now. */
    void connected(long nanos) {
        connectedNanos = nanos;
    }

    /** A FIN from the client ({@code upstream}) or the backend: the first such end is the timeline's first close. */
    void finFrom(boolean upstream) {
        if (firstClose == null) {
            firstClose = upstream ? FirstClose.CLIENT_FIN : FirstClose.BACKEND_FIN;
        }
    }

    ConnectionState state() {
        return state;
    }

    /** The client channel. */
    public Channel clientChannel() {
        return inbound;
    }

    /** The backend channel, or {@code null} while none is connecting or connected. */
    public Channel backendChannel() {
        return outbound;
    }

    /** Bytes queued in this connection and not yet taken by the kernel, both ways. */
    public long pendingWriteBytes() {
        return up.pendingBytes() + down.pendingBytes() + (early == null ? 0 : early.bytes());
    }

    /** How bytes flow each way (see {@link dev.forwarder.core.ConnectionSnapshot#flow}). On the event loop. */
    String flow() {
        return (tls == null ? "" : "tls " + tls + "; ") + "up: " + up.flow() + "; down: " + down.flow();
    }

    /** The event loop both channels of this connection run on. */
    public EventLoop eventLoop() {
        return loop;
    }

    ConnectionObserver observer() {
        return observer;
    }

    ConnectionObserver bytesObserver() {
        return context.bytesObserver();
    }

    /** Waiting in the chooser's queue for a backend to have room. */
    boolean isQueued() {
        return connector.isQueued();
    }

    boolean isConnecting() {
        return state == ConnectionState.CONNECTING;
    }

    /** Connected, and not yet closing: bytes flow. */
    boolean isRelaying() {
        return state != ConnectionState.CONNECTING && state.compareTo(ConnectionState.CLOSING) < 0;
    }

    /** Not yet closing. */
    boolean isOpen() {
        return state.compareTo(ConnectionState.CLOSING) < 0;
    }

    /** Open, or ending normally with its last bytes still to flush: what an idle timeout may still cut. */
    boolean mayIdle() {
        return isOpen() || flushingLastBytes;
    }

    // ---- traffic observers -----------------------------------------------------------------------------------

    /** Attaches {@code tap} to both directions unless it is attached already. On the event loop. */
    public void attach(TrafficObserver tap) {
        if (state != ConnectionState.CLOSED && up.detach(tap) == down.detach(tap)) {
            up.attach(tap);
            down.attach(tap);
        }
    }

    /** Detaches {@code tap} if attached, and tells it so. On the event loop. */
    public void detach(TrafficObserver tap) {
        if (up.detach(tap) | down.detach(tap)) {
            tap.detached(this);
        }
    }

    // ---- client side ----------------------------------------------------------------------------------------

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        inbound = ctx.channel();
        loop = inbound.eventLoop();
        up.source(inbound);
        down.target = inbound;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        client = inbound.remoteAddress();
        acceptedMillis = System.currentTimeMillis();
        openChannels = 1;
        inbound.closeFuture().addListener((ChannelFutureListener) f -> channelClosed(inbound));
        if (context.idleNanos() > 0) {
            idle = new IdleTimer(this, context.idleNanos(), acceptedNanos);
        }
        observer.accepted(this);
        context.subscriptions().attachTo(this);
        // Read while connecting: a client's reset then ends the pick at once; its early bytes wait (bounded).
        inbound.config().setAutoRead(true);
        if (!context.delaysChoice()) {
            connector.start();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        up.read(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        up.readComplete();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        down.targetWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt == ChannelInputShutdownEvent.INSTANCE) {
            HalfClose.inputEnded(this, up);
        } else if (evt instanceof ClientReadyEvent ready && state == ConnectionState.CONNECTING) {
            if (ready.client() != null) {
                client = ready.client();
            }
            destination = ready.destination();
            if (ready.tls() != null) {
                tls = ready.tls();
            }
            connector.start(ready.chooser());
        } else if (evt instanceof CloseRequestEvent request) {
            close(request.reason());
        }
        ReferenceCountUtil.release(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        failed(true, cause);
    }

    // ---- backend side ------------------------------------------------------------------------------------------

    Direction up() {
        return up;
    }

    Direction down() {
        return down;
    }

    /** The connector made a channel for its next try. */
    void backendChannel(Channel channel) {
        outbound = channel;
        down.source(channel);
        up.target = channel;
        openChannels++;
        channel.closeFuture().addListener((ChannelFutureListener) f -> channelClosed(channel));
    }

    /** A try failed: its channel no longer belongs to this connection. */
    void backendChannelFailed(Channel channel) {
        outbound = null;
        up.target = null;
        down.source = null;
        channel.close();
    }

    /** @return whether {@code msg} was held because the backend is not connected yet */
    boolean holdsEarly(Object msg) {
        if (state != ConnectionState.CONNECTING) {
            return false;
        }
        if (early == null) {
            early = new EarlyBytes();
        }
        early.hold(msg, inbound, context.waterMark().high());
        return true;
    }

    /** The backend channel is active, every handler in front of the relay's has seen it: relaying starts. */
    void backendActive() {
        if (state != ConnectionState.CONNECTING || connector.connected() == null) {
            return;
        }
        state = ConnectionState.OPEN;
        observer.opened(this);
        // Subscriptions that filter by backend (or by a client a PROXY header named) can tell only now.
        context.subscriptions().attachTo(this);
        if (early != null) {
            early.writeTo(outbound);
        }
        if (earlyClientFin) {
            HalfClose.inputEnded(this, up);
        }
        // From here each side reads by itself while its peer is writable: no epoll_ctl per read batch.
        down.startReading();
        up.startReading();
    }

    /** A read batch ended on either side: activity for the idle timeout. */
    void touched() {
        if (idle != null) {
            idle.touched();
        }
    }

    void spliceUnavailable(IOException e) {
        if (log.isDebugEnabled()) {
            log.debug("splice unavailable, copying conn={} cause={}", id(), ConnectionLog.describe(e));
        }
    }

    // ---- ending ------------------------------------------------------------------------------------------------

    /** An exception on one side's pipeline: a reset ends the connection as one, anything else as an error. */
    void failed(boolean clientSide, Throwable cause) {
        if (log.isDebugEnabled()) {
            log.debug("error conn={} side={} cause={}", id(), clientSide ? "client" : "backend", ConnectionLog.describe(cause));
        }
        close(Aborts.reasonFor(clientSide, cause));
    }

    /**
     * Ends the connection now, dropping what is still queued; the peers see a reset where the reason is an abort
     * (see {@link Aborts}). A plain close ({@code client-closed}, {@code backend-closed}) keeps the reason found
     * earlier; any other replaces it.
     */
    public void close(CloseReason why) {
        if (firstClose == null) {
            firstClose = FirstClose.of(why);
        }
        boolean plain = why == CloseReason.CLIENT_CLOSED || why == CloseReason.BACKEND_CLOSED;
        if (state == ConnectionState.CLOSING && flushingLastBytes && !plain) {
            // Both FINs are in, but the last bytes still wait for a reader that does not take them: an abort (the
            // idle timeout, an operator, the end of a drain) still cuts it, or it would hang here for good.
            flushingLastBytes = false;
            reason = why;
            Aborts.resetWhereLost(why, inbound, outbound, pendingWriteBytes() > 0);
            closeChannels();
            return;
        }
        if (!isOpen()) {
            return;
        }
        if (reason == null || !plain) {
            reason = why;
        }
        Aborts.resetWhereLost(why, inbound, outbound, pendingWriteBytes() > 0);
        state = ConnectionState.CLOSING;
        connector.leaveQueue();
        closeChannels();
    }

    /** Both directions ended normally; the channels close once the last bytes and FIN are through. */
    void closingNormally() {
        state = ConnectionState.CLOSING;
        flushingLastBytes = true;
    }

    /** The first FIN sets the reason a normal end reports. */
    void reason(CloseReason firstFin) {
        reason = firstFin;
    }

    /** Closes both channels; the state is {@code CLOSING} already. */
    void closeChannels() {
        inbound.close();
        if (outbound != null) {
            outbound.close();
        }
    }

    private void channelClosed(Channel channel) {
        if (isOpen()) {
            boolean clientSide = channel == inbound;
            boolean afterItsOwnFin = (clientSide ? state == ConnectionState.BACKEND_DONE
                    : channel == outbound && state == ConnectionState.CLIENT_DONE) && HalfClose.outputShut(channel);
            if (afterItsOwnFin) {
                // The side whose output was shut after the other's FIN closed at its own FIN (see HalfClose): the
                // normal end. What it sent last is flushed to the peer before the peer closes.
                HalfClose.inputEnded(this, clientSide ? up : down);
            } else if (clientSide || channel == outbound) {
                // A side closed without its FIN: Netty closes a channel so only on a failure (a reset or a broken
                // pipe found while writing, an epoll error), often before it reports the exception. An abort.
                close(clientSide ? CloseReason.CLIENT_RESET : CloseReason.BACKEND_RESET);
            }
        }
        if (--openChannels == 0) {
            finish();
        }
    }

    private void finish() {
        state = ConnectionState.CLOSED;
        if (idle != null) {
            idle.cancel();
        }
        if (early != null) {
            early.release();
        }
        up.closed();
        down.closed();
        if (reason == null) {
            reason = CloseReason.ERROR;
        }
        connector.ended();
        observer.closed(this);
    }

    @Override
    public String toString() {
        Backend backend = backend();
        return "conn=" + id() + " client=" + Addresses.format(client) + " backend="
                + (backend == null ? "-" : backend.name()) + " state=" + state;
    }
}
