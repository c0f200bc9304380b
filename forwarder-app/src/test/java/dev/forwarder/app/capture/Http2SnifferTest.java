package dev.forwarder.app.capture;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Headers;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * HTTP/2 and gRPC summaries: frames built here by hand around header blocks from Netty's HPACK encoder (so padding,
 * priority, CONTINUATION and the dynamic table are all exercised), fed in small pieces as the relay would.
 */
class Http2SnifferTest {

    private static final byte[] PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final DefaultHttp2HeadersEncoder clientEncoder = new DefaultHttp2HeadersEncoder();
    private final DefaultHttp2HeadersEncoder serverEncoder = new DefaultHttp2HeadersEncoder();

    private static void frame(ByteArrayOutputStream out, int type, int flags, int stream, byte[] payload) {
        out.write(payload.length >>> 16);
        out.write(payload.length >>> 8);
        out.write(payload.length);
        out.write(type);
        out.write(flags);
        out.write(stream >>> 24);
        out.write(stream >>> 16);
        out.write(stream >>> 8);
        out.write(stream);
        out.writeBytes(payload);
    }

    private static byte[] block(DefaultHttp2HeadersEncoder encoder, int stream, Http2Headers headers)
            throws Exception {
        ByteBuf buf = Unpooled.buffer();
        try {
            encoder.encodeHeaders(stream, headers, buf);
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    private static byte[] slice(byte[] b, int from, int to) {
        byte[] out = new byte[to - from];
        System.arraycopy(b, from, out, 0, out.length);
        return out;
    }

    private static String feed(Sniffer sniffer, byte[] bytes, int piece) {
        for (int at = 0; at < bytes.length; at += piece) {
            int n = Math.min(piece, bytes.length - at);
            String summary = sniffer.feed(slice(bytes, at, at + n), n);
            if (summary != null) {
                return summary;
            }
        }
        return sniffer.finish();
    }

    private byte[] grpcRequest(int stream) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(PREFACE);
        frame(out, 4, 0, 0, new byte[] {0, 3, 0, 0, 0, 100}); // SETTINGS max concurrent streams
        frame(out, 8, 0, 0, new byte[] {0, 0, 0x10, 0}); // WINDOW_UPDATE
        byte[] headers = block(clientEncoder, stream, new DefaultHttp2Headers().method("POST").scheme("http")
                .path("/echo.Echo/Say").authority("127.0.0.1:9528").add("content-type", "application/grpc")
                .add("te", "trailers").add("user-agent", "grpc-java-netty/1.85.1"));
        // HEADERS with PADDED and PRIORITY, the block split into a CONTINUATION.
        int split = headers.length / 2;
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        first.write(3); // pad length
        first.writeBytes(new byte[] {0, 0, 0, 0, 15}); // priority: stream dependency, weight
        first.writeBytes(slice(headers, 0, split));
        first.writeBytes(new byte[3]);
        frame(out, 1, 0x8 | 0x20, stream, first.toByteArray());
        frame(out, 9, 0x4, stream, slice(headers, split, headers.length));
        frame(out, 0, 0x1, stream, new byte[] {0, 0, 0, 0, 2, 8, 1});
        return out.toByteArray();
    }

    @Test
    void grpcMethodFromHeadersWithPaddingPriorityAndContinuation() throws Exception {
        Sniffer[] pair = Sniffer.pair();
        assertThat(feed(pair[0], grpcRequest(1), 7))
                .isEqualTo("grpc method=/echo.Echo/Say authority=127.0.0.1:9528 stream=1");
    }

    @Test
    void grpcStatusFromTrailersFollowsTheDynamicTableAcrossStreams() throws Exception {
        Sniffer[] pair = Sniffer.pair();
        ByteArrayOutputStream up = new ByteArrayOutputStream();
        up.writeBytes(grpcRequest(3));
        assertThat(feed(pair[0], up.toByteArray(), 64)).startsWith("grpc method=/echo.Echo/Say");

        ByteArrayOutputStream down = new ByteArrayOutputStream();
        frame(down, 4, 0, 0, new byte[0]); // the server's SETTINGS
        frame(down, 4, 1, 0, new byte[0]); // SETTINGS ack
        // Another stream's trailers-only answer first: its headers enter the dynamic table, which the followed
        // stream's trailers then refer to by index.
        frame(down, 1, 0x5, 1, block(serverEncoder, 1, new DefaultHttp2Headers().status("200")
                .add("content-type", "application/grpc").add("grpc-status", "5").add("grpc-message", "gone")));
        frame(down, 1, 0x4, 3, block(serverEncoder, 3, new DefaultHttp2Headers().status("200")
                .add("content-type", "application/grpc")));
        frame(down, 0, 0, 3, new byte[] {0, 0, 0, 0, 2, 8, 1});
        byte[] trailers = block(serverEncoder, 3, new DefaultHttp2Headers().add("grpc-status", "5")
                .add("grpc-message", "gone"));
        assertThat(trailers.length).as("trailers refer to the dynamic table").isLessThan(4);
        frame(down, 1, 0x5, 3, trailers);
        assertThat(feed(pair[1], down.toByteArray(), 5))
                .isEqualTo("grpc status=200 grpc-status=5 grpc-message=\"gone\"");
    }

    @Test
    void plainHttp2RequestAndAnswerEndedByData() throws Exception {
        Sniffer[] pair = Sniffer.pair();
        ByteArrayOutputStream up = new ByteArrayOutputStream();
        up.writeBytes(PREFACE);
        frame(up, 4, 0, 0, new byte[0]);
        frame(up, 1, 0x5, 1, block(clientEncoder, 1, new DefaultHttp2Headers().method("GET").path("/index.html")
                .scheme("https").authority("www.example")));
        assertThat(feed(pair[0], up.toByteArray(), 3))
                .isEqualTo("http2 request=\"GET /index.html\" authority=www.example stream=1");
        ByteArrayOutputStream down = new ByteArrayOutputStream();
        frame(down, 4, 0, 0, new byte[] {0, 4, 0, 1, 0, 0});
        frame(down, 1, 0x4, 1, block(serverEncoder, 1, new DefaultHttp2Headers().status("404")));
        frame(down, 0, 0x1, 1, "not here".getBytes(StandardCharsets.US_ASCII));
        assertThat(feed(pair[1], down.toByteArray(), 4)).isEqualTo("http2 response status=404");
    }

    @Test
    void badHeaderBlockIsUnparsed() {
        ByteArrayOutputStream up = new ByteArrayOutputStream();
        up.writeBytes(PREFACE);
        frame(up, 1, 0x5, 1, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0x7f}); // index far past any table
        assertThat(feed(Sniffer.pair()[0], up.toByteArray(), 10)).isEqualTo("http2 unparsed");
    }

    @Test
    void continuationOfAnotherStreamIsUnparsed() throws Exception {
        ByteArrayOutputStream up = new ByteArrayOutputStream();
        up.writeBytes(PREFACE);
        byte[] headers = block(clientEncoder, 1, new DefaultHttp2Headers().method("GET").path("/"));
        frame(up, 1, 0, 1, slice(headers, 0, 1));
        frame(up, 9, 0x4, 3, slice(headers, 1, headers.length));
        assertThat(feed(Sniffer.pair()[0], up.toByteArray(), 100)).isEqualTo("http2 unparsed");
    }

    @Test
    void prefaceWithoutHeadersSaysSoAtTheEnd() {
        ByteArrayOutputStream up = new ByteArrayOutputStream();
        up.writeBytes(PREFACE);
        frame(up, 4, 0, 0, new byte[0]);
        assertThat(feed(Sniffer.pair()[0], up.toByteArray(), 5)).isEqualTo("http2 preface");
    }

    @Test
    void scansAtMostTheBoundThenSaysWhatItHas() throws Exception {
        Sniffer[] pair = Sniffer.pair();
        feed(pair[0], grpcRequest(1), 1000);
        ByteArrayOutputStream down = new ByteArrayOutputStream();
        frame(down, 4, 0, 0, new byte[0]);
        frame(down, 1, 0x4, 1, block(serverEncoder, 1, new DefaultHttp2Headers().status("200")
                .add("content-type", "application/grpc")));
        byte[] data = new byte[16 * 1024];
        while (down.size() < Http2Sniffer.MAX_SCAN + 1024) {
            frame(down, 0, 0, 1, data);
        }
        assertThat(feed(pair[1], down.toByteArray(), 8192)).isEqualTo("grpc status=200");
    }
}
