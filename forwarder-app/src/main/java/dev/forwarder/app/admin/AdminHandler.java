package dev.forwarder.app.admin;

import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.DecoderException;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.timeout.IdleStateEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Answers one admin connection's requests, each whole ({@link HttpObjectAggregator} before it), in order. A request
 * the codec could not parse gets a 400 (431 for headers too long) and the connection is closed; whatever
 * {@link AdminRoutes} throws is a 500, logged; nothing propagates past this handler. The request's buffer is
 * released by {@link SimpleChannelInboundHandler} after {@link #channelRead0}; responses are built on heap bytes.
 * One instance per connection (it is not {@code @Sharable}).
 */
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger log = LoggerFactory.getLogger(AdminHandler.class);

    private final AdminRoutes routes;
    private final AtomicLong failures;

    AdminHandler(AdminRoutes routes, AtomicLong failures) {
        this.routes = routes;
        this.failures = failures;
    }

    // Set once a streamed response owns the connection: what else arrives on it is not answered.
    private boolean streaming;

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (streaming) {
            return;
        }
        if (request.decoderResult().isFailure()) {
            Throwable cause = request.decoderResult().cause();
            HttpResponseStatus status = cause instanceof TooLongFrameException
                    && cause.getMessage() != null && cause.getMessage().contains("header")
                    ? HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE : HttpResponseStatus.BAD_REQUEST;
            respond(ctx, AdminResponse.error(status, "bad request: " + cause.getMessage()), false);
            return;
        }
        AdminResponse response;
        try {
            response = routes.handle(new AdminRequest(request.method(), request.uri(), request.headers(),
                    ByteBufUtil.getBytes(request.content()), remote(ctx)));
        } catch (RuntimeException e) {
            failures.incrementAndGet();
            log.warn("admin request failed method={} uri=\"{}\"", request.method(), request.uri(), e);
            response = AdminResponse.error(HttpResponseStatus.INTERNAL_SERVER_ERROR, "internal error: " + e);
        }
        if (response.stream() != null) {
            streaming = true;
            try {
                response.stream().start(ctx);
            } catch (RuntimeException e) {
                failures.incrementAndGet();
                log.warn("admin stream failed method={} uri=\"{}\"", request.method(), request.uri(), e);
                ctx.close();
            }
            return;
        }
        respond(ctx, response, HttpUtil.isKeepAlive(request));
    }

    private static String remote(ChannelHandlerContext ctx) {
        return ctx.channel().remoteAddress() instanceof InetSocketAddress inet && inet.getAddress() != null
                ? inet.getAddress().getHostAddress() : String.valueOf(ctx.channel().remoteAddress());
    }

    private static void respond(ChannelHandlerContext ctx, AdminResponse response, boolean keepAlive) {
        FullHttpResponse http = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, response.status(),
                Unpooled.wrappedBuffer(response.body()));
        http.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, response.contentType())
                .setInt(HttpHeaderNames.CONTENT_LENGTH, response.body().length)
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
                .set("X-Content-Type-Options", "nosniff");
        if (response.allow() != null) {
            http.headers().set(HttpHeaderNames.ALLOW, response.allow());
        }
        if (response.status() == HttpResponseStatus.UNAUTHORIZED) {
            http.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer");
        }
        if (!keepAlive) {
            http.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        var written = ctx.writeAndFlush(http);
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) throws Exception {
        if (event instanceof IdleStateEvent) {
            ctx.close();
        } else {
            super.userEventTriggered(ctx, event);
        }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // What a peer can cause: a reset, bytes the codec rejects, a close in the middle of a request.
        if (cause instanceof IOException || cause instanceof DecoderException
                || cause instanceof PrematureChannelClosureException) {
            log.debug("admin connection error remote={} error=\"{}\"", ctx.channel().remoteAddress(), cause.toString());
        } else {
            failures.incrementAndGet();
            log.warn("admin connection failed remote={}", ctx.channel().remoteAddress(), cause);
        }
        ctx.close();
    }
}
