package dev.forwarder.app.capture;

import dev.forwarder.core.CloseReason;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Capture events as pcap records: both legs of each connection, client to listener and forwarder to backend, as
 * made-up TCP segments between their real addresses and ports. Each leg starts with a handshake (when the capture
 * first sees it), numbers its bytes by their offsets in the stream (so a byte the capture did not see, past
 * {@code max-bytes} or dropped, shows as a gap), acknowledges every segment at once, and ends with the FINs or RST
 * the close reason implies. Bytes the client sent before its backend was connected wait here and open the backend
 * leg once its addresses are known.
 */
final class PcapSink implements CaptureSink {

    private static final Logger log = LoggerFactory.getLogger(PcapSink.class);

    private final PcapOut files;
    private final WallClock clock = new WallClock();
    private final TcpPackets packets = new TcpPackets();

    PcapSink(PcapOut files) {
        this.files = files;
    }

    /** One TCP leg: {@code a} opened it (the client, or forwarder towards the backend). */
    private static final class Leg {
        final InetSocketAddress a;
        final InetSocketAddress b;
        final long isnA = ThreadLocalRandom.current().nextLong(1L << 32);
        final long isnB = ThreadLocalRandom.current().nextLong(1L << 32);
        long nextA;
        long nextB;

        Leg(InetSocketAddress a, InetSocketAddress b) {
            this.a = a;
            this.b = b;
            nextA = isnA + 1;
            nextB = isnB + 1;
        }
    }

    private static final class State {
        Leg client;
        Leg backend;
        List<CaptureEvent.Chunk> early = new ArrayList<>();
    }

    @Override
    public void write(CaptureEvent event) throws IOException {
        CapturedConnection c = event.connection();
        State state = c.pcap instanceof State s ? s : null;
        if (state == null) {
            state = new State();
            c.pcap = state;
        }
        if (event instanceof CaptureEvent.Chunk chunk) {
            Legs legs = chunk.legs();
            long start = chunk.offset() == 0 ? Math.min(c.acceptedNanos, chunk.nanos()) : chunk.nanos();
            if (state.client == null && legs.client() != null && legs.listener() != null) {
                state.client = open(legs.client(), legs.listener(), start);
            }
            openBackend(state, legs, chunk.nanos());
            if (state.client != null) {
                data(state.client, chunk);
            }
            if (state.backend != null) {
                data(state.backend, chunk);
            } else if (chunk.upstream() && state.early != null) {
                state.early.add(chunk);
            }
        } else if (event instanceof CaptureEvent.End end) {
            openBackend(state, end.legs(), end.nanos());
            if (end.reason() != null) {
                close(state, end);
            }
        }
    }

    private void openBackend(State state, Legs legs, long nanos) throws IOException {
        if (state.backend != null || !legs.hasBackend()) {
            return;
        }
        long start = state.early == null || state.early.isEmpty() ? nanos : state.early.get(0).nanos();
        state.backend = open(legs.local(), legs.backend(), start);
        for (CaptureEvent.Chunk early : state.early) {
            data(state.backend, early);
        }
        state.early = null;
    }

    private Leg open(InetSocketAddress a, InetSocketAddress b, long nanos) throws IOException {
        Leg leg = new Leg(a, b);
        long at = clock.epochNanos(nanos);
        record(at, packets.segment(a, b, leg.isnA, 0, TcpPackets.SYN, new byte[0], 0, 0));
        record(at, packets.segment(b, a, leg.isnB, leg.nextA, TcpPackets.SYN | TcpPackets.ACK, new byte[0], 0, 0));
        record(at, packets.segment(a, b, leg.nextA, leg.nextB, TcpPackets.ACK, new byte[0], 0, 0));
        return leg;
    }

    private void data(Leg leg, CaptureEvent.Chunk chunk) throws IOException {
        byte[] data = chunk.data();
        long at = clock.epochNanos(chunk.nanos());
        boolean fromA = chunk.upstream();
        InetSocketAddress src = fromA ? leg.a : leg.b;
        InetSocketAddress dst = fromA ? leg.b : leg.a;
        long seq = (fromA ? leg.isnA : leg.isnB) + 1 + chunk.offset();
        for (int from = 0; from < data.length; from += TcpPackets.MAX_PAYLOAD) {
            int n = Math.min(TcpPackets.MAX_PAYLOAD, data.length - from);
            long ack = fromA ? leg.nextB : leg.nextA;
            record(at, packets.segment(src, dst, seq, ack, TcpPackets.PSH | TcpPackets.ACK, data, from, n));
            seq += n;
            if (fromA) {
                leg.nextA = Math.max(leg.nextA, seq);
            } else {
                leg.nextB = Math.max(leg.nextB, seq);
            }
            record(at, packets.segment(dst, src, fromA ? leg.nextB : leg.nextA, seq, TcpPackets.ACK, new byte[0], 0,
                    0));
        }
    }

    /** The end as the close reason tells it: who sent the first FIN or RST, on which leg. */
    private void close(State state, CaptureEvent.End end) throws IOException {
        long at = clock.epochNanos(end.nanos());
        Leg client = state.client;
        Leg backend = state.backend;
        long up = end.bytesUp();
        long down = end.bytesDown();
        CloseReason reason = end.reason();
        switch (reason) {
            case CLIENT_CLOSED -> {
                fin(client, true, up, down, at);
                fin(backend, true, up, down, at);
                fin(backend, false, up, down, at);
                fin(client, false, up, down, at);
            }
            case BACKEND_CLOSED -> {
                fin(backend, false, up, down, at);
                fin(client, false, up, down, at);
                fin(client, true, up, down, at);
                fin(backend, true, up, down, at);
            }
            case CLIENT_RESET -> {
                rst(client, true, up, at);
                rst(backend, true, up, at);
            }
            case BACKEND_RESET -> {
                rst(backend, false, down, at);
                rst(client, false, down, at);
            }
            case CONNECT_FAILED, NO_BACKEND, QUEUE_TIMEOUT, QUEUE_FULL, IDLE_TIMEOUT -> {
                fin(client, false, up, down, at);
                fin(client, true, up, down, at);
                fin(backend, true, up, down, at);
                fin(backend, false, up, down, at);
            }
            default -> {
                rst(client, false, down, at);
                rst(backend, true, up, at);
            }
        }
    }

    private void fin(Leg leg, boolean fromA, long up, long down, long at) throws IOException {
        if (leg == null) {
            return;
        }
        InetSocketAddress src = fromA ? leg.a : leg.b;
        InetSocketAddress dst = fromA ? leg.b : leg.a;
        long seq = (fromA ? leg.isnA : leg.isnB) + 1 + (fromA ? up : down);
        long ack = fromA ? Math.max(leg.nextB, leg.isnB + 1 + down) : Math.max(leg.nextA, leg.isnA + 1 + up);
        record(at, packets.segment(src, dst, seq, ack, TcpPackets.FIN | TcpPackets.ACK, new byte[0], 0, 0));
        if (fromA) {
            leg.nextA = seq + 1;
        } else {
            leg.nextB = seq + 1;
        }
        record(at, packets.segment(dst, src, ack, seq + 1, TcpPackets.ACK, new byte[0], 0, 0));
    }

    private void rst(Leg leg, boolean fromA, long bytes, long at) throws IOException {
        if (leg == null) {
            return;
        }
        InetSocketAddress src = fromA ? leg.a : leg.b;
        InetSocketAddress dst = fromA ? leg.b : leg.a;
        long seq = (fromA ? leg.isnA : leg.isnB) + 1 + bytes;
        record(at, packets.segment(src, dst, seq, fromA ? leg.nextB : leg.nextA, TcpPackets.RST | TcpPackets.ACK,
                new byte[0], 0, 0));
    }

    private void record(long epochNanos, byte[] packet) throws IOException {
        files.write(epochNanos, packet);
    }

    @Override
    public void flush() throws IOException {
        files.flush();
    }

    @Override
    public void dropped(long events, long bytes) {
        log.warn("capture dropped chunks={} bytes={} {} (writer behind; they show as gaps in the streams)",
                events, bytes, files.where());
    }

    @Override
    public void close() throws IOException {
        files.close();
    }
}
