package dev.forwarder.core.relay;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The wire of one test channel: what its peer was sent, in order (the bytes, consecutive writes joined;
 * {@link #FIN}; the end, {@link #CLOSE} or {@link #RESET}), whether each way is shut, and whether the buffers its
 * peer sent were all released.
 */
final class Wire {

    /** The relay shut this side's output. */
    static final String FIN = "<FIN>";
    /** The relay closed this side: a FIN on the wire if none was sent yet. */
    static final String CLOSE = "<close>";
    /** The relay closed this side with {@code SO_LINGER} 0: an RST on the wire. */
    static final String RESET = "<RST>";
    /** Bytes written after the output was shut, which a socket would refuse. */
    static final String WRITE_AFTER_FIN = "<write after FIN>";

    private final List<String> sent = new ArrayList<>();
    private final List<ByteBuf> fromPeer = new ArrayList<>();
    private final StringBuilder bytes = new StringBuilder();
    boolean inputShutdown;
    boolean outputShutdown;

    /** A buffer of the peer's bytes, handed to the relay: it must be released by the time the connection ends. */
    ByteBuf fromPeer(ByteBuf buf) {
        fromPeer.add(buf);
        return buf;
    }

    /** How many of the peer's buffers the relay still holds. */
    long unreleased() {
        return fromPeer.stream().filter(buf -> buf.refCnt() > 0).count();
    }

    void wrote(ByteBuf buf) {
        if (!buf.isReadable()) {
            return;
        }
        if (outputShutdown) {
            endBytes();
            sent.add(WRITE_AFTER_FIN);
        }
        bytes.append(buf.toString(StandardCharsets.US_ASCII));
    }

    void outputShut() {
        if (!outputShutdown) {
            outputShutdown = true;
            endBytes();
            sent.add(FIN);
        }
    }

    void closed(int linger) {
        endBytes();
        sent.add(linger == 0 ? RESET : CLOSE);
    }

    /** Everything sent so far. */
    List<String> sent() {
        endBytes();
        return List.copyOf(sent);
    }

    private void endBytes() {
        if (bytes.length() > 0) {
            sent.add(bytes.toString());
            bytes.setLength(0);
        }
    }
}
