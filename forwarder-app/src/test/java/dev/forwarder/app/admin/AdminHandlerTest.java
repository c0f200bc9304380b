package dev.forwarder.app.admin;

import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.buffer.ByteBuf;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

/** What the handler does with requests the codec rejects, before any route runs: an error, a close, no leak. */
class AdminHandlerTest {

    private final AtomicLong failures = new AtomicLong();

    private EmbeddedChannel channel() {
        // No routes: a request that reached them would fail the test with a 500 and a counted failure.
        return new EmbeddedChannel(new HttpServerCodec(AdminServer.MAX_INITIAL_LINE, AdminServer.MAX_HEADERS,
                AdminServer.MAX_BODY), new HttpObjectAggregator(AdminServer.MAX_BODY), new AdminHandler(null, failures));
    }

    /** The response's status code and body, read off the bytes the handler wrote (all released). */
    private static String status(EmbeddedChannel channel) {
        ByteBuf out = Unpooled.buffer();
        for (ByteBuf part; (part = channel.readOutbound()) != null; ) {
            out.writeBytes(part);
            part.release();
        }
        String text = out.toString(StandardCharsets.UTF_8);
        out.release();
        assertThat(text).startsWith("HTTP/1.1 ");
        return text.substring(9, 12) + " " + text.substring(text.indexOf("\r\n\r\n") + 4);
    }

    @Test
    void aGarbledInitialLineIs400AndAClose() {
        EmbeddedChannel channel = channel();
        channel.writeInbound(Unpooled.copiedBuffer("GET /api pools HTTP/1.1 trailing\r\n\r\n", StandardCharsets.US_ASCII));

        assertThat(status(channel)).startsWith("400 ").contains("\"error\"");
        assertThat(channel.isOpen()).isFalse();
        assertThat(failures).hasValue(0);
        channel.finishAndReleaseAll();
    }

    @Test
    void headersOverTheLimitAre431() {
        EmbeddedChannel channel = channel();
        String huge = "GET /api/pools HTTP/1.1\r\nX-Big: " + "x".repeat(AdminServer.MAX_HEADERS + 1) + "\r\n\r\n";
        channel.writeInbound(Unpooled.copiedBuffer(huge, StandardCharsets.US_ASCII));

        assertThat(status(channel)).startsWith("431 ");
        assertThat(channel.isOpen()).isFalse();
        channel.finishAndReleaseAll();
    }

    @Test
    void aBodyOverTheLimitIs413BeforeAnyRouteSeesIt() {
        EmbeddedChannel channel = channel();
        channel.writeInbound(Unpooled.copiedBuffer("POST /api/reload HTTP/1.1\r\nContent-Length: "
                + (AdminServer.MAX_BODY + 1) + "\r\n\r\n", StandardCharsets.US_ASCII));

        assertThat(status(channel)).startsWith("413 ");
        assertThat(failures).hasValue(0);
        channel.finishAndReleaseAll();
    }
}
