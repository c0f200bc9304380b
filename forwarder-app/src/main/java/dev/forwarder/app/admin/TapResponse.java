package dev.forwarder.app.admin;

import dev.forwarder.app.capture.Tap;
import dev.forwarder.app.capture.TapFilter;
import dev.forwarder.app.capture.TapSettings;
import dev.forwarder.app.capture.Taps;
import dev.forwarder.core.BoundListener;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code GET /api/tap}: a chunked response that streams a {@link Tap} until it ends (its bytes, its time, or the
 * client leaving), then closes the connection. The admin port's idle timeout is taken off the connection, since a
 * tap may see nothing for a while; the tap's own duration bounds it instead.
 */
final class TapResponse implements AdminStream {

    static final String PCAP = "application/vnd.tcpdump.pcap";

    private final Taps taps;
    private final List<BoundListener> listeners;
    private final TapFilter filter;
    private final TapSettings settings;

    TapResponse(Taps taps, List<BoundListener> listeners, TapFilter filter, TapSettings settings) {
        this.taps = taps;
        this.listeners = listeners;
        this.filter = filter;
        this.settings = settings;
    }

    @Override
    public void start(ChannelHandlerContext ctx) {
        Channel channel = ctx.channel();
        if (ctx.pipeline().get("idle") != null) {
            ctx.pipeline().remove("idle");
        }
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, settings.format() == TapSettings.Format.PCAP ? PCAP
                        : "text/plain; charset=utf-8")
                .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED)
                .set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
                .set("X-Content-Type-Options", "nosniff");
        ctx.writeAndFlush(head);
        ChannelTapOutput out = new ChannelTapOutput(channel);
        ctx.pipeline().addLast("tap", out.wakeUps());
        Tap tap = taps.start(listeners, filter, settings, out, ctx.executor());
        ScheduledFuture<?> timer = ctx.executor().schedule(() -> tap.end("seconds"), settings.duration().toNanos(),
                TimeUnit.NANOSECONDS);
        channel.closeFuture().addListener(closed -> {
            timer.cancel(false);
            tap.end("client-gone");
        });
    }
}
