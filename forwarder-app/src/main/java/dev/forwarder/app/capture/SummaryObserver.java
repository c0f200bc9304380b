package dev.forwarder.app.capture;

import dev.forwarder.core.ConnectionInfo;
import dev.forwarder.core.TrafficObserver;
import dev.forwarder.core.relay.RelayConnection;
import io.netty.buffer.ByteBuf;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code capture.summary = on}: the protocol summary of each connection, parsed on its event loop from the first
 * bytes of each direction by a pair of {@link Sniffer}s and attached to the connection
 * ({@link RelayConnection#summary(String)}), where the connection log's close line, {@code /api/connections} and the
 * admin page find it. Each direction is looked at until its summary is known or its sniffer gives up (16 KiB, or
 * {@link Http2Sniffer#MAX_SCAN} for HTTP/2); then the observer leaves the connection, which may splice again.
 *
 * <p>Per chunk it copies at most what the sniffers still look at into a buffer kept per connection; a direction
 * that is done costs one map read and a flag check. A summary that does not parse is no summary, and never affects
 * the relay: the sniffers do not throw.
 */
final class SummaryObserver implements TrafficObserver {

    /** The most a direction's sniffer looks at: what an HTTP/2 answer may need before its trailers. */
    static final int MAX_SCAN = Math.max(Sniffer.LIMIT, Http2Sniffer.MAX_SCAN);

    /** One connection's sniffers and what they found; only its event loop touches it. */
    private static final class State {
        final Sniffer up;
        final Sniffer down;
        long seenUp = -1;
        long seenDown = -1;
        String upText;
        String downText;
        byte[] scratch = new byte[0];
        boolean leaving;

        State() {
            Sniffer[] pair = Sniffer.pair();
            up = pair[0];
            down = pair[1];
        }
    }

    // An entry per connection looked at; removed when the observer is detached from it (done, or the end).
    private final Map<ConnectionInfo, State> states = new ConcurrentHashMap<>();

    @Override
    public void bytes(ConnectionInfo info, boolean upstream, long offset, ByteBuf data, long nanos) {
        State state = states.get(info);
        if (state == null) {
            state = new State();
            states.put(info, state);
        }
        if (state.leaving) {
            return;
        }
        Sniffer sniffer = upstream ? state.up : state.down;
        if (!sniffer.done()) {
            long seen = upstream ? state.seenUp : state.seenDown;
            if (seen < 0 && offset != 0) {
                // Attached to a connection that was open already: its start is gone, so is its summary.
                found(info, state, upstream, sniffer.finish());
            } else {
                long left = MAX_SCAN - Math.max(0, seen);
                int n = (int) Math.min(data.readableBytes(), Math.max(0, left));
                if (state.scratch.length < n) {
                    state.scratch = new byte[Math.max(n, Math.min(MAX_SCAN, 2 * state.scratch.length))];
                }
                data.getBytes(data.readerIndex(), state.scratch, 0, n);
                String summary = sniffer.feed(state.scratch, n);
                if (summary == null && n == left) {
                    summary = sniffer.finish();
                }
                found(info, state, upstream, summary);
            }
            if (upstream) {
                state.seenUp = Math.max(0, state.seenUp) + data.readableBytes();
            } else {
                state.seenDown = Math.max(0, state.seenDown) + data.readableBytes();
            }
        }
        if (state.up.done() && state.down.done()) {
            leave(info, state);
        }
    }

    private void found(ConnectionInfo info, State state, boolean upstream, String summary) {
        if (summary == null) {
            return;
        }
        if (upstream) {
            state.upText = summary;
        } else {
            state.downText = summary;
        }
        if (info instanceof RelayConnection relay) {
            relay.summary(text(state));
        }
    }

    /** Both directions in one line: {@code up; down}, either alone when the other said nothing. */
    private static String text(State state) {
        if (state.upText == null) {
            return state.downText;
        }
        return state.downText == null ? state.upText : state.upText + "; " + state.downText;
    }

    private void leave(ConnectionInfo info, State state) {
        // The entry stays until detached: a chunk read before the detach runs must not start a new one.
        state.leaving = true;
        state.scratch = null;
        if (info instanceof RelayConnection relay) {
            // Not from inside this call, which runs while the relay walks its observers: on the connection's loop.
            relay.eventLoop().execute(() -> relay.detach(this));
        }
    }

    @Override
    public void detached(ConnectionInfo info) {
        // The connection ended (before the close line is logged) or the observer was taken off: say what is known.
        State state = states.remove(info);
        if (state != null && !state.leaving) {
            found(info, state, true, state.up.finish());
            found(info, state, false, state.down.finish());
        }
    }
}
