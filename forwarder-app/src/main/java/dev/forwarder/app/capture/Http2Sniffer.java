package dev.forwarder.app.capture;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.Http2Headers;

import java.io.ByteArrayOutputStream;

/**
 * One direction of an HTTP/2 connection (after the client's preface), frame by frame: the client's first request
 * ({@code :method}, {@code :path}, {@code :authority}, gRPC or not) and the server's answer on that stream
 * ({@code :status}, then {@code grpc-status} and {@code grpc-message} from the trailers). Header blocks are decoded
 * with Netty's HPACK decoder, one per direction, fed every header block of every stream in order so that its
 * dynamic table stays in step with the peer's encoder; HEADERS with padding or priority, CONTINUATION and
 * PUSH_PROMISE are followed, DATA and the other frames skipped without being kept.
 *
 * <p>Bounded: at most {@link #MAX_SCAN} bytes of a direction are looked at, and only a header block (at most
 * {@link #MAX_HEADER_BLOCK}) is ever held. A frame or header block that does not parse ends the summary as
 * {@code unparsed}; it never throws.
 */
final class Http2Sniffer {

    /** Bytes of one direction looked at: room for the first request and a response of a few hundred KiB. */
    static final int MAX_SCAN = 256 * 1024;
    /** The largest header block (HEADERS and its CONTINUATIONs) decoded; beyond it the summary is unparsed. */
    static final int MAX_HEADER_BLOCK = 64 * 1024;
    /** The HPACK dynamic table the decoder allows the peer's encoder (the default is 4 KiB). */
    static final long MAX_TABLE = 64 * 1024;

    private static final int DATA = 0x0;
    private static final int HEADERS = 0x1;
    private static final int RST_STREAM = 0x3;
    private static final int PUSH_PROMISE = 0x5;
    private static final int GOAWAY = 0x7;
    private static final int CONTINUATION = 0x9;
    private static final int END_STREAM = 0x1;
    private static final int END_HEADERS = 0x4;
    private static final int PADDED = 0x8;
    private static final int PRIORITY = 0x20;

    private final boolean upstream;
    private final Sniffer peer;
    private final DefaultHttp2HeadersDecoder decoder;
    private final byte[] head = new byte[9];
    private int headFill;
    // The frame being read: its type, flags, stream, and payload bytes still to come.
    private int type;
    private int flags;
    private int stream;
    private int remaining;
    // The payload of a HEADERS, PUSH_PROMISE, CONTINUATION or RST_STREAM frame, kept whole.
    private ByteArrayOutputStream payload;
    // A header block under way (HEADERS or PUSH_PROMISE without END_HEADERS, then CONTINUATIONs).
    private final ByteArrayOutputStream block = new ByteArrayOutputStream();
    private int blockStream;
    private boolean blockEndsStream;
    private boolean inBlock;
    private int inBlockType;
    private long scanned;
    private boolean done;
    private String summary;

    // What was found.
    /** The stream of the client's first request (up), or of the answer followed (down); 0 until known. */
    int firstStream;
    private String method;
    private String path;
    private String authority;
    private boolean grpc;
    private String status;
    private String grpcStatus;
    private String grpcMessage;
    private long resetCode = -1;

    /**
     * @param peer the other direction's sniffer, or {@code null}: the server's side follows the stream of the
     *        client's first request when it knows it
     */
    Http2Sniffer(boolean upstream, Sniffer peer) {
        this.upstream = upstream;
        this.peer = peer;
        this.decoder = new DefaultHttp2HeadersDecoder(false, MAX_HEADER_BLOCK);
        try {
            decoder.configuration().maxHeaderTableSize(MAX_TABLE);
        } catch (Exception impossible) {
            throw new IllegalStateException(impossible);
        }
    }

    boolean done() {
        return done;
    }

    /**
     * The next {@code length} bytes of the direction.
     *
     * @return the summary once it is complete (at most once), or {@code null}
     */
    String feed(byte[] b, int from, int length) {
        if (done) {
            return null;
        }
        try {
            int at = from;
            int end = from + Math.min(length, (int) Math.min(Integer.MAX_VALUE, MAX_SCAN - scanned));
            scanned += end - at;
            while (at < end && !done) {
                if (headFill < 9) {
                    int n = Math.min(9 - headFill, end - at);
                    System.arraycopy(b, at, head, headFill, n);
                    headFill += n;
                    at += n;
                    if (headFill == 9) {
                        frameStarts();
                    }
                    continue;
                }
                int n = Math.min(remaining, end - at);
                if (payload != null) {
                    payload.write(b, at, n);
                }
                at += n;
                remaining -= n;
                if (remaining == 0) {
                    frameEnds();
                }
            }
            if (!done && scanned >= MAX_SCAN) {
                return finish();
            }
        } catch (Exception malformed) {
            return unparsed();
        }
        return done ? summary : null;
    }

    /** The stream ended or stops being looked at: what can be said from what was seen, or {@code null}. */
    String finish() {
        if (done) {
            return null;
        }
        done = true;
        summary = upstream ? (method == null ? null : request()) : (status == null ? null : response());
        return summary;
    }

    private String unparsed() {
        done = true;
        summary = upstream && method != null ? request() : "http2 unparsed";
        return summary;
    }

    private void frameStarts() throws Exception {
        int length = (head[0] & 0xff) << 16 | (head[1] & 0xff) << 8 | head[2] & 0xff;
        type = head[3] & 0xff;
        flags = head[4] & 0xff;
        stream = Sniffer.int32(head, 5) & 0x7fffffff;
        remaining = length;
        boolean keep = type == HEADERS || type == PUSH_PROMISE || type == CONTINUATION || type == RST_STREAM;
        if (keep && length > MAX_HEADER_BLOCK) {
            throw new IllegalArgumentException("frame too large");
        }
        if (inBlock != (type == CONTINUATION)) {
            throw new IllegalArgumentException("header block interrupted");
        }
        payload = keep ? new ByteArrayOutputStream(length) : null;
        if (length == 0) {
            frameEnds();
        }
    }

    private void frameEnds() throws Exception {
        headFill = 0;
        byte[] p = payload == null ? null : payload.toByteArray();
        payload = null;
        switch (type) {
            case HEADERS, PUSH_PROMISE -> {
                int at = 0;
                int padding = 0;
                if ((flags & PADDED) != 0) {
                    padding = p[0] & 0xff;
                    at = 1;
                }
                if (type == HEADERS && (flags & PRIORITY) != 0) {
                    at += 5;
                }
                if (type == PUSH_PROMISE) {
                    at += 4;
                }
                int fragment = p.length - at - padding;
                if (fragment < 0) {
                    throw new IllegalArgumentException("padding longer than frame");
                }
                block.reset();
                block.write(p, at, fragment);
                blockStream = stream;
                blockEndsStream = type == HEADERS && (flags & END_STREAM) != 0;
                inBlock = true;
                if ((flags & END_HEADERS) != 0) {
                    blockEnds(type == HEADERS);
                } else {
                    inBlockType = type;
                }
            }
            case CONTINUATION -> {
                if (stream != blockStream || block.size() + p.length > MAX_HEADER_BLOCK) {
                    throw new IllegalArgumentException("bad continuation");
                }
                block.write(p, 0, p.length);
                if ((flags & END_HEADERS) != 0) {
                    blockEnds(inBlockType == HEADERS);
                }
            }
            case DATA -> {
                if (!upstream && stream == followed() && (flags & END_STREAM) != 0 && status != null) {
                    complete(response());
                }
            }
            case RST_STREAM -> {
                if (stream == followed() && p.length == 4) {
                    resetCode = Sniffer.int32(p, 0) & 0xffffffffL;
                    if (!upstream || method != null) {
                        complete(upstream ? request() : response());
                    }
                }
            }
            case GOAWAY -> {
                // Nothing to follow after it on this connection's side; what was found is the summary.
            }
            default -> {
            }
        }
    }

    private void blockEnds(boolean headers) throws Exception {
        inBlock = false;
        byte[] bytes = block.toByteArray();
        block.reset();
        ByteBuf buf = Unpooled.wrappedBuffer(bytes);
        Http2Headers decoded;
        try {
            // Every block goes through the decoder, whatever its stream: its dynamic table must follow the encoder's.
            decoded = decoder.decodeHeaders(blockStream, buf);
        } finally {
            buf.release();
        }
        if (!headers) {
            return;
        }
        if (upstream) {
            if (firstStream == 0) {
                firstStream = blockStream;
                method = text(decoded.method());
                path = text(decoded.path());
                authority = text(decoded.authority());
                CharSequence type = decoded.get("content-type");
                grpc = type != null && type.toString().startsWith("application/grpc");
                complete(request());
            }
            return;
        }
        if (firstStream == 0) {
            int wanted = peerStream();
            if (wanted != 0 ? blockStream != wanted : (blockStream & 1) == 0) {
                return;
            }
            firstStream = blockStream;
        } else if (blockStream != firstStream) {
            return;
        }
        if (decoded.status() != null && status == null) {
            status = text(decoded.status());
        }
        CharSequence type = decoded.get("content-type");
        grpc |= type != null && type.toString().startsWith("application/grpc");
        CharSequence code = decoded.get("grpc-status");
        if (code != null) {
            grpc = true;
            grpcStatus = text(code);
            CharSequence message = decoded.get("grpc-message");
            grpcMessage = message == null ? null : text(message);
        }
        if (blockEndsStream || grpcStatus != null) {
            complete(response());
        }
    }

    /** The stream whose frames matter here: the first request's, once known. */
    private int followed() {
        return firstStream != 0 ? firstStream : peerStream();
    }

    /** The stream of the client's first request, as the client's side found it; 0 while unknown. */
    private int peerStream() {
        Http2Sniffer other = peer == null ? null : peer.http2();
        return other == null ? 0 : other.firstStream;
    }

    private void complete(String text) {
        done = true;
        summary = text;
    }

    private String request() {
        StringBuilder out = new StringBuilder();
        if (grpc) {
            out.append("grpc method=").append(path);
        } else {
            out.append("http2 request=\"").append(method).append(' ').append(path).append('"');
        }
        if (authority != null) {
            out.append(" authority=").append(authority);
        }
        out.append(" stream=").append(firstStream);
        if (resetCode >= 0) {
            out.append(" rst_stream=").append(resetCode);
        }
        return out.toString();
    }

    private String response() {
        StringBuilder out = new StringBuilder(grpc ? "grpc" : "http2 response");
        out.append(" status=").append(status == null ? "-" : status);
        if (grpcStatus != null) {
            out.append(" grpc-status=").append(grpcStatus);
        }
        if (grpcMessage != null) {
            out.append(" grpc-message=\"").append(grpcMessage).append('"');
        }
        if (resetCode >= 0) {
            out.append(" rst_stream=").append(resetCode);
        }
        return out.toString();
    }

    /** A header value as a summary shows it: printable ASCII, no quotes, at most 200 characters. */
    private static String text(CharSequence value) {
        if (value == null) {
            return null;
        }
        StringBuilder out = new StringBuilder(Math.min(value.length(), 200));
        for (int i = 0; i < value.length() && i < 200; i++) {
            char c = value.charAt(i);
            out.append(c > 0x20 && c < 0x7f && c != '"' && c != '\\' ? c : c == ' ' ? ' ' : '.');
        }
        return out.toString();
    }
}
