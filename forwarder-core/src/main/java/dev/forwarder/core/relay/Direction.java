package dev.forwarder.core.relay;

import dev.forwarder.core.ConnectionObserver;
import dev.forwarder.core.TrafficObserver;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.ReferenceCountUtil;

import java.io.IOException;
import java.util.Arrays;

/**
 * One direction of a relayed connection: what {@code source} sends is written to {@code target}. It owns what
 * only that direction needs: its byte count, reading on and off with the target's writability, splice, and the
 * traffic observers that see its bytes. The connection owns the state both directions share (half-close, close).
 *
 * <p>Every method runs on the connection's event loop.
 */
final class Direction {

    private static final TrafficObserver[] NO_TAPS = new TrafficObserver[0];

    private final RelayConnection connection;
    // Who hears of each read's bytes (metrics), or null: the composite's one observer of bytes, called directly.
    private final ConnectionObserver relayedTo;
    final boolean upstream;
    /** Null where this connection never splices (NIO, splice off, handlers that must see the bytes). */
    private final SpliceSide splice;
    Channel source;
    Channel target;
    private long bytes;
    // System.nanoTime() of the first bytes read, 0 before: one branch on a field per read, for the timeline.
    private long firstReadNanos;
    // Empty unless an observer is attached: one array-length check per read when nobody watches.
    private TrafficObserver[] taps = NO_TAPS;

    Direction(RelayConnection connection, boolean upstream, PipeBudget pipes) {
        this.connection = connection;
        this.relayedTo = connection.bytesObserver();
        this.upstream = upstream;
        this.splice = pipes == null ? null : new SpliceSide(this, pipes);
    }

    long bytes() {
        return bytes;
    }

    /** {@link System#nanoTime()} of this direction's first bytes, or 0. */
    long firstReadNanos() {
        return firstReadNanos;
    }

    long splicedBytes() {
        return splice == null ? 0 : splice.splicedBytes();
    }

    /** Makes {@code channel} this direction's source; splicing needs its read allocator. */
    void source(Channel channel) {
        source = channel;
        if (splice != null) {
            splice.attach(channel);
        }
    }

    /** A message read from {@code source}. */
    void read(Object msg) {
        if (msg instanceof ByteBuf buf) {
            int n = buf.readableBytes();
            if (firstReadNanos == 0) {
                firstReadNanos = System.nanoTime();
            }
            long offset = bytes;
            bytes += n;
            if (relayedTo != null) {
                relayedTo.relayed(connection, upstream, n);
            }
            if (taps.length > 0) {
                long now = System.nanoTime();
                for (TrafficObserver tap : taps) {
                    tap.bytes(connection, upstream, offset, buf, now);
                }
            }
            if (splice != null && splice.splicing()) {
                if (taps.length == 0) {
                    spliceRelay(buf);
                    return;
                }
                // Observed now, but the pipe still holds older bytes (attach stopped it otherwise): these queue behind
                // it, and the direction copies once it has drained (spliceDrained).
                forward(buf);
                return;
            }
            if (connection.holdsEarly(msg)) {
                return;
            }
            forward(buf);
            if (splice != null && taps.length == 0 && splice.shouldStart(n) && connection.isRelaying()) {
                startSplice();
            }
            return;
        }
        if (!connection.holdsEarly(msg)) {
            forward(msg);
        }
    }

    private void forward(Object msg) {
        if (target == null || !connection.isRelaying()) {
            ReferenceCountUtil.release(msg);
            return;
        }
        // A failed write reaches exceptionCaught of the target's pipeline, which ends the connection.
        target.write(msg, target.voidPromise());
    }

    /** The end of one read batch from {@code source}. */
    void readComplete() {
        connection.touched();
        if (target != null && connection.isRelaying()) {
            target.flush();
        }
    }

    /**
     * The target filled past its high water mark or drained under its low one: the source stops or resumes. With
     * {@link #startReading} the only place reads are switched once both sides are connected.
     */
    void targetWritabilityChanged() {
        if (target != null && source != null && connection.isRelaying()) {
            setReading(target.isWritable());
        }
    }

    /** Both sides are connected: the source reads unless the target is full already (early bytes filled it). */
    void startReading() {
        setReading(target.isWritable());
    }

    private void setReading(boolean reading) {
        if (!reading) {
            source.config().setAutoRead(false);
        } else if (connection.isRelaying() && !((DuplexChannel) source).isInputShutdown()
                && (splice == null || splice.queued() == 0)) {
            // Never resume a source whose input is shut down: there is nothing left to read. A source whose pipe
            // still holds bytes resumes once it has emptied (spliceDrained).
            source.config().setAutoRead(true);
        }
    }

    /** Bytes queued towards the target and not yet taken by its kernel. */
    long pendingBytes() {
        long pending = splice == null ? 0 : splice.queued();
        if (target != null) {
            ChannelOutboundBuffer buffer = target.unsafe().outboundBuffer();
            pending += buffer == null ? 0 : buffer.totalPendingWriteBytes();
        }
        return pending;
    }

    /** This direction's flow control as a person reads it. */
    String flow() {
        if (source == null || target == null) {
            return "not connected";
        }
        StringBuilder flow = new StringBuilder();
        if (((DuplexChannel) source).isInputShutdown()) {
            flow.append("input ended");
        } else if (source.config().isAutoRead()) {
            flow.append("reading");
        } else {
            flow.append("paused (").append(!target.isWritable() ? (upstream ? "backend full" : "client full")
                    : splice != null && splice.queued() > 0 ? "pipe busy" : "target writable, pipe empty").append(')');
        }
        ChannelOutboundBuffer buffer = target.unsafe().outboundBuffer();
        flow.append(", pending ").append(buffer == null ? 0 : buffer.totalPendingWriteBytes()).append(" B");
        if (splice != null && splice.splicing()) {
            flow.append(", splice ").append(splice.queued()).append(" B queued");
            if (splice.paused()) {
                flow.append(" (paused)");
            }
        }
        return flow.toString();
    }

    // ---- traffic observers -------------------------------------------------------------------------------------

    void attach(TrafficObserver tap) {
        taps = Arrays.copyOf(taps, taps.length + 1);
        taps[taps.length - 1] = tap;
        if (splice != null && splice.splicing() && splice.queued() == 0) {
            splice.stop();
        }
    }

    /** @return whether {@code tap} was attached */
    boolean detach(TrafficObserver tap) {
        for (int i = 0; i < taps.length; i++) {
            if (taps[i] == tap) {
                TrafficObserver[] fewer = new TrafficObserver[taps.length - 1];
                System.arraycopy(taps, 0, fewer, 0, i);
                System.arraycopy(taps, i + 1, fewer, i, taps.length - i - 1);
                taps = fewer.length == 0 ? NO_TAPS : fewer;
                return true;
            }
        }
        return false;
    }

    // ---- splice (epoll) ------------------------------------------------------------------------------------------

    private void startSplice() {
        try {
            splice.start();
        } catch (IOException e) {
            connection.spliceUnavailable(e);
        }
    }

    private void spliceRelay(ByteBuf prefix) {
        if (target == null || !connection.isRelaying()) {
            prefix.release();
            return;
        }
        try {
            splice.relay(prefix, source, target);
        } catch (IOException e) {
            connection.failed(upstream, e);
        }
    }

    /** {@code n} more bytes went into the pipe: counted as relayed, like a read. */
    void spliced(int n) {
        bytes += n;
        if (relayedTo != null) {
            relayedTo.relayed(connection, upstream, n);
        }
    }

    /** The pipe emptied into the target after the target was full: the source reads again. */
    void spliceDrained() {
        if (taps.length > 0) {
            splice.stop();
        }
        if (source != null && target != null) {
            setReading(target.isWritable());
        }
    }

    /** The connection ended: the pipe closes once Netty has released its last region. */
    void closed() {
        if (splice != null) {
            splice.close();
        }
        TrafficObserver[] ending = taps;
        taps = NO_TAPS;
        for (TrafficObserver tap : ending) {
            // Both directions share their observers; tell each once, from the upstream side.
            if (upstream) {
                tap.detached(connection);
            }
        }
    }
}
