package dev.forwarder.app.capture;

import dev.forwarder.core.Backend;
import dev.forwarder.core.ConnectionInfo;
import dev.forwarder.core.TrafficObserver;
import dev.forwarder.core.relay.RelayConnection;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;

import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The traffic observer of one capture: on the event loop it copies at most {@code maxBytes} per connection and
 * direction (from where it first saw that direction) into a {@link CaptureQueue}, with the real addresses of both
 * legs; everything else (formatting, summaries, pcap framing) happens on the writer thread. The bytes beyond the
 * bound still relay; the chunk's event then carries only its size. Once both directions of a connection reached
 * the bound, the recorder detaches from it, so that it may splice again (the capture then shows no end for it).
 */
final class TrafficRecorder implements TrafficObserver {

    private static final byte[] NOTHING = new byte[0];

    private final CaptureQueue queue;
    private final long maxBytes;
    // One entry per observed open connection; get is lock-free, an entry is added once per connection.
    private final Map<ConnectionInfo, CapturedConnection> connections = new ConcurrentHashMap<>();
    private final boolean endedByTimeline;

    /**
     * @param endedByTimeline whether a {@link Timeline} on the same queue reports the end (and forgets the
     *        connection) after this observer was detached
     */
    TrafficRecorder(CaptureQueue queue, long maxBytes, boolean endedByTimeline) {
        this.queue = queue;
        this.maxBytes = maxBytes;
        this.endedByTimeline = endedByTimeline;
    }

    CaptureQueue queue() {
        return queue;
    }

    CapturedConnection connection(ConnectionInfo info) {
        CapturedConnection known = connections.get(info);
        if (known != null) {
            return known;
        }
        return connections.computeIfAbsent(info,
                i -> new CapturedConnection(i.id(), i.listener(), i.acceptedNanos()));
    }

    CapturedConnection forget(ConnectionInfo info) {
        CapturedConnection known = connections.remove(info);
        return known != null ? known : new CapturedConnection(info.id(), info.listener(), info.acceptedNanos());
    }

    @Override
    public void bytes(ConnectionInfo info, boolean upstream, long offset, ByteBuf data, long nanos) {
        CapturedConnection connection = connection(info);
        int length = data.readableBytes();
        long captured = upstream ? connection.capturedUp : connection.capturedDown;
        int take = (int) Math.min(length, Math.max(0, maxBytes - captured));
        byte[] copy = NOTHING;
        if (take > 0) {
            copy = new byte[take];
            data.getBytes(data.readerIndex(), copy);
            if (upstream) {
                connection.capturedUp += take;
            } else {
                connection.capturedDown += take;
            }
        }
        queue.offer(new CaptureEvent.Chunk(connection, nanos, upstream, offset, length, copy, legs(info)));
        if (!connection.full && connection.capturedUp >= maxBytes && connection.capturedDown >= maxBytes
                && info instanceof RelayConnection relay) {
            // Nothing more to capture: leave, so that the connection may splice again. Not from inside this call,
            // which runs while the relay walks its observers: as a task on the connection's own loop.
            connection.full = true;
            relay.eventLoop().execute(() -> relay.detach(this));
        }
    }

    @Override
    public void detached(ConnectionInfo info) {
        CapturedConnection connection = endedByTimeline && info.closeReason() != null ? connection(info)
                : forget(info);
        queue.offer(new CaptureEvent.End(connection, System.nanoTime(), info.closeReason(), info.bytesUp(),
                info.bytesDown(), legs(info)));
    }

    /** The addresses of both legs as far as known now; on the connection's event loop. */
    static Legs legs(ConnectionInfo info) {
        InetSocketAddress client = inet(info.client());
        InetSocketAddress listener = null;
        InetSocketAddress local = null;
        Backend backend = info.backend();
        InetSocketAddress remote = backend == null ? null : backend.address();
        if (info instanceof RelayConnection relay) {
            // RelayConnection is the relay's ConnectionInfo; its channels know the forwarder's own ends of both legs.
            Channel clientChannel = relay.clientChannel();
            listener = clientChannel == null ? null : inet(clientChannel.localAddress());
            Channel backendChannel = backend == null ? null : relay.backendChannel();
            local = backendChannel == null ? null : inet(backendChannel.localAddress());
            InetSocketAddress connectedTo = backendChannel == null ? null : inet(backendChannel.remoteAddress());
            remote = connectedTo != null ? connectedTo : remote;
        }
        return new Legs(client, listener, local, remote);
    }

    private static InetSocketAddress inet(SocketAddress address) {
        return address instanceof InetSocketAddress inet ? inet : null;
    }
}
