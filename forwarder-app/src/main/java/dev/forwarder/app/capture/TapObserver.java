package dev.forwarder.app.capture;

import dev.forwarder.core.Addresses;
import dev.forwarder.core.Backend;
import dev.forwarder.core.ConnectionInfo;
import dev.forwarder.core.TrafficObserver;
import dev.forwarder.core.relay.RelayConnection;
import io.netty.buffer.ByteBuf;
import io.netty.util.concurrent.Future;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.RejectedExecutionException;

/**
 * A live tap's traffic observer, on the relay's event loops: before copying a chunk it checks that the tap's queue
 * has room. When it has none (the tap's reader is slow or does not read at all), the chunk is not copied and the tap
 * <em>leaves</em> that connection, so that it may splice again and the relay runs as fast as without the tap; the
 * writer asks it back once the queue has drained ({@link #rejoin()}), and the bytes it passed meanwhile are counted
 * as dropped (they show as {@code missed=N} in text, as gaps in pcap). No lock: a concurrent map read per chunk, an
 * atomic add for the tap's byte budget, and per connection state touched only on that connection's loop.
 */
final class TapObserver implements TrafficObserver {

    /** One connection as the tap sees it; its fields are touched only on the connection's event loop. */
    private static final class Seen {
        final ConnectionInfo info;
        /** The offset of the next byte the tap expects each way: what passes beyond it unseen is dropped. */
        long nextUp;
        long nextDown;
        boolean left;

        /**
         * Joined at the first chunk, at {@code offset} in its direction; the other direction is seen from here on,
         * though no chunk of it has come yet (the tap may stand off before one does): what passed before is not the
         * tap's to count.
         */
        Seen(ConnectionInfo info, boolean upstream, long offset) {
            this.info = info;
            nextUp = upstream ? offset : info.bytesUp();
            nextDown = upstream ? info.bytesDown() : offset;
        }
    }

    private final Tap tap;
    private final TrafficRecorder recorder;
    private final Map<ConnectionInfo, Seen> seen = new ConcurrentHashMap<>();
    private final Queue<Seen> left = new ConcurrentLinkedQueue<>();

    TapObserver(Tap tap, TrafficRecorder recorder) {
        this.tap = tap;
        this.recorder = recorder;
    }

    @Override
    public void bytes(ConnectionInfo info, boolean upstream, long offset, ByteBuf data, long nanos) {
        if (tap.isEnded()) {
            return;
        }
        Seen s = seen.get(info);
        if (s == null) {
            s = seen.computeIfAbsent(info, key -> new Seen(key, upstream, offset));
            recorder.queue().offer(new CaptureEvent.Mark(recorder.connection(info), nanos, joined(info)));
        }
        int n = data.readableBytes();
        long expected = upstream ? s.nextUp : s.nextDown;
        if (offset > expected) {
            tap.dropped(offset - expected); // passed while the tap stood off this connection
        }
        if (upstream) {
            s.nextUp = offset + n;
        } else {
            s.nextDown = offset + n;
        }
        if (!recorder.queue().hasRoom(64L + n)) {
            tap.dropped(n);
            leave(s, nanos);
            return;
        }
        if (tap.take(n)) {
            recorder.bytes(info, upstream, offset, data, nanos);
        }
    }

    private static String joined(ConnectionInfo info) {
        Backend backend = info.backend();
        return "tap on listener=" + info.listener() + " client=" + Addresses.format(info.client()) + " backend="
                + (backend == null ? "-" : backend.name());
    }

    /** Off this connection until the writer catches up: from inside the relay's walk over its observers, a task. */
    private void leave(Seen s, long nanos) {
        if (s.left || !(s.info instanceof RelayConnection relay)) {
            return;
        }
        s.left = true;
        recorder.queue().offer(new CaptureEvent.Mark(recorder.connection(s.info), nanos,
                "tap behind: leaves the connection (it may splice meanwhile) until the reader catches up"));
        left.add(s);
        relay.eventLoop().execute(() -> relay.detach(this));
    }

    /** On the writer thread, its queue empty: back onto the connections it left. */
    void rejoin() {
        for (Seen s; (s = left.poll()) != null; ) {
            Seen back = s;
            RelayConnection relay = (RelayConnection) back.info;
            try {
                relay.eventLoop().execute(() -> {
                    if (!tap.isEnded() && back.left && back.info.closeReason() != null) {
                        // It ended while the tap stood off: count what passed, and forget it.
                        tap.dropped(unseen(back));
                        seen.remove(back.info);
                        recorder.forget(back.info);
                    } else if (!tap.isEnded() && back.left) {
                        back.left = false;
                        recorder.queue().offer(new CaptureEvent.Mark(recorder.connection(back.info), System.nanoTime(),
                                "tap caught up: back on the connection"));
                        relay.attach(this);
                    }
                });
            } catch (RejectedExecutionException stopped) {
                return; // the relay stopped
            }
        }
    }

    /**
     * What passed the connections the tap stands off since it saw them last, each counted on its own loop; with
     * {@code add}, added to the tap's dropped bytes (when the tap has ended). The futures complete once counted.
     */
    List<Future<Long>> unseen(boolean add) {
        List<Future<Long>> counted = new ArrayList<>();
        for (Seen s : seen.values()) {
            if (s.info instanceof RelayConnection relay) {
                try {
                    counted.add(relay.eventLoop().submit(() -> {
                        long bytes = s.left ? unseen(s) : 0;
                        if (add) {
                            tap.dropped(bytes);
                        }
                        return bytes;
                    }));
                } catch (RejectedExecutionException stopped) {
                    // the relay stopped: nothing passes any more, and what passed is not counted
                }
            }
        }
        return counted;
    }

    /**
     * On the connection's loop: the bytes that passed it since the tap saw it last, in both directions from where
     * the tap joined (what passed before is not the tap's to count).
     */
    private static long unseen(Seen s) {
        return Math.max(0, s.info.bytesUp() - s.nextUp) + Math.max(0, s.info.bytesDown() - s.nextDown);
    }

    @Override
    public void detached(ConnectionInfo info) {
        Seen s = seen.get(info);
        if (s != null && s.left && info.closeReason() == null) {
            return; // it left by itself (see leave): the connection goes on, and so does what the tap knows of it
        }
        seen.remove(info);
        if (info.closeReason() != null) {
            if (s != null && !tap.isEnded()) {
                // What passed unseen (while the tap stood off, or since it came back and before another chunk showed
                // the gap) is counted now: no later chunk will show it. Not again by rejoin, which checks left.
                tap.dropped(unseen(s));
                s.left = false;
            }
            recorder.queue().offer(new CaptureEvent.Mark(recorder.connection(info), System.nanoTime(), "closed reason="
                    + info.closeReason().label() + " bytes_up="
                    + info.bytesUp() + " bytes_down=" + info.bytesDown()));
        }
        recorder.detached(info);
    }
}
