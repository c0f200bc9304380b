package dev.forwarder.app.demo;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Answers one connection with the backend's greeting, then closes it. An HTTP request gets an HTTP/1.1 response
 * once its headers are in; anything else gets the greeting line as soon as a line arrives, the client shuts its
 * output, or it stays silent for a second (so a bare {@code nc} shows it too). One instance per connection.
 */
final class DemoBackendHandler extends ChannelInboundHandlerAdapter {

    private static final long SILENCE_MILLIS = 1000;
    private static final int MAX_REQUEST_CHARS = 8192;
    private static final Pattern REQUEST_LINE = Pattern.compile("[A-Z]+ \\S+ HTTP/1\\.[01]\r?");

    private final String greeting;
    private final StringBuilder received = new StringBuilder();
    private ScheduledFuture<?> silence;
    private boolean answered;

    DemoBackendHandler(String greeting) {
        this.greeting = greeting;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        silence = ctx.executor().schedule(() -> answer(ctx, false), SILENCE_MILLIS, TimeUnit.MILLISECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (!answered && received.length() < MAX_REQUEST_CHARS) {
                received.append(((ByteBuf) msg).toString(StandardCharsets.ISO_8859_1));
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
        if (answered) {
            return;
        }
        int endOfLine = received.indexOf("\n");
        if (endOfLine < 0) {
            if (received.length() >= MAX_REQUEST_CHARS) {
                answer(ctx, false);
            }
        } else if (!isHttp()) {
            answer(ctx, false);
        } else if (received.indexOf("\r\n\r\n") >= 0 || received.indexOf("\n\n") >= 0
                || received.length() >= MAX_REQUEST_CHARS) {
            answer(ctx, true);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            if (answered) {
                ctx.close();
            } else {
                answer(ctx, isHttp());
            }
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (silence != null) {
            silence.cancel(false);
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }

    private boolean isHttp() {
        int endOfLine = received.indexOf("\n");
        return endOfLine >= 0 && REQUEST_LINE.matcher(received.subSequence(0, endOfLine)).matches();
    }

    private void answer(ChannelHandlerContext ctx, boolean http) {
        if (answered) {
            return;
        }
        answered = true;
        silence.cancel(false);
        String body = greeting + "\n";
        String text = !http ? body : "HTTP/1.1 200 OK\r\n"
                + "Content-Type: text/plain; charset=utf-8\r\n"
                + "Content-Length: " + body.getBytes(StandardCharsets.UTF_8).length + "\r\n"
                + "Connection: close\r\n"
                + "\r\n"
                + body;
        ctx.writeAndFlush(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8))
                .addListener(ChannelFutureListener.CLOSE);
    }
}
