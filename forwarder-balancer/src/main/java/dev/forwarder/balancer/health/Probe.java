package dev.forwarder.balancer.health;

import dev.forwarder.balancer.PoolMember;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * One check of one member: connect, for send-expect and http send the request and read the reply (at most
 * {@link HealthCheckSettings#MAX_REPLY} bytes, copied out of each buffer, which is released at once), and report
 * once. A new instance per check, so not {@code @Sharable}; it lives on one event loop and needs no
 * synchronisation.
 */
final class Probe extends ChannelInboundHandlerAdapter {

    private static final Pattern STATUS_LINE = Pattern.compile("^HTTP/1\\.[01] ([0-9]{3})( .*)?$");

    private final HealthCheckSettings settings;
    private final PoolMember member;
    private final Consumer<CheckResult> done;
    private final byte[] preamble;
    private final byte[] received;
    private final Pattern regex;
    private int length;
    private boolean finished;
    private ScheduledFuture<?> timeout;
    private Channel channel;

    private Probe(HealthCheckSettings settings, PoolMember member, byte[] preamble, Consumer<CheckResult> done) {
        this.preamble = preamble;
        this.settings = settings;
        this.member = member;
        this.done = done;
        this.received = settings.type() == HealthCheckType.TCP ? new byte[0] : new byte[HealthCheckSettings.MAX_REPLY];
        this.regex = settings.expectRegex().isEmpty() ? null : Pattern.compile(settings.expectRegex());
    }

    static Probe start(EventLoop loop, Supplier<? extends Channel> channels, PoolMember member,
            HealthCheckSettings settings, byte[] preamble, Consumer<CheckResult> done) {
        Probe probe = new Probe(settings, member, preamble, done);
        long timeoutNanos = settings.timeout().toNanos();
        Bootstrap bootstrap = new Bootstrap()
                .group(loop)
                .channelFactory((ChannelFactory<Channel>) channels::get)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS,
                        (int) Math.min(Integer.MAX_VALUE, Math.max(1, settings.timeout().toMillis())))
                .option(ChannelOption.TCP_NODELAY, true)
                .handler(probe);
        probe.timeout = loop.schedule(() -> probe.finish(false, "error=timeout timeout_ms="
                + settings.timeout().toMillis()), timeoutNanos, TimeUnit.NANOSECONDS);
        ChannelFuture connect = bootstrap.connect(member.address());
        probe.channel = connect.channel();
        connect.addListener(future -> {
            if (!future.isSuccess()) {
                probe.finish(false, "error=\"" + describe(future.cause()) + "\"");
            } else if (settings.type() == HealthCheckType.TCP) {
                probe.finish(true, "");
            }
        });
        return probe;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        byte[] request = request();
        if (request != null) {
            // The PROXY header first (send-proxy), in the same write: a backend that requires one reads it first.
            ctx.writeAndFlush(preamble == null ? Unpooled.wrappedBuffer(request)
                    : Unpooled.wrappedBuffer(preamble, request));
        }
        ctx.fireChannelActive();
    }

    private byte[] request() {
        return switch (settings.type()) {
            case SEND_EXPECT -> settings.send().getBytes(StandardCharsets.UTF_8);
            case HTTP -> ("GET " + settings.path() + " HTTP/1.1\r\nHost: " + hostHeader()
                    + "\r\nUser-Agent: forwarder-health-check\r\nAccept: */*\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1);
            default -> null;
        };
    }

    private String hostHeader() {
        String host = member.host().indexOf(':') >= 0 ? "[" + member.host() + "]" : member.host();
        int port = member.address().getPort();
        return port == 80 ? host : host + ":" + port;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        try {
            if (msg instanceof ByteBuf buf && !finished) {
                int n = Math.min(buf.readableBytes(), received.length - length);
                buf.readBytes(received, length, n);
                length += n;
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
        if (!finished) {
            evaluate();
        }
    }

    private void evaluate() {
        if (settings.type() == HealthCheckType.HTTP) {
            int end = indexOf((byte) '\n', 0);
            if (end >= 0) {
                String line = new String(received, 0, end, StandardCharsets.ISO_8859_1).strip();
                var matcher = STATUS_LINE.matcher(line);
                if (!matcher.matches()) {
                    finish(false, "error=bad-status-line");
                    return;
                }
                int status = Integer.parseInt(matcher.group(1));
                finish(status >= settings.expectStatusMin() && status <= settings.expectStatusMax(),
                        "status=" + status);
            } else if (length == received.length) {
                finish(false, "error=bad-status-line");
            }
            return;
        }
        if (matches()) {
            finish(true, "");
        } else if (length == received.length) {
            finish(false, "error=no-match read=" + length);
        }
    }

    private boolean matches() {
        if (regex != null) {
            return regex.matcher(new String(received, 0, length, StandardCharsets.ISO_8859_1)).find();
        }
        byte[] expect = settings.expect().getBytes(StandardCharsets.UTF_8);
        outer:
        for (int i = 0; i + expect.length <= length; i++) {
            for (int j = 0; j < expect.length; j++) {
                if (received[i + j] != expect[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    private int indexOf(byte value, int from) {
        for (int i = from; i < length; i++) {
            if (received[i] == value) {
                return i;
            }
        }
        return -1;
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        finish(false, settings.type() == HealthCheckType.HTTP ? "error=closed-before-status"
                : "error=closed-before-match read=" + length);
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        finish(false, "error=\"" + describe(cause) + "\"");
    }

    /** Stops without a result: the member is no longer checked. */
    void abandon() {
        finished = true;
        cleanUp();
    }

    private void finish(boolean passed, String detail) {
        if (finished) {
            return;
        }
        finished = true;
        cleanUp();
        done.accept(passed ? CheckResult.pass(settings.type(), detail) : CheckResult.fail(settings.type(), detail));
    }

    private void cleanUp() {
        if (timeout != null) {
            timeout.cancel(false);
        }
        if (channel != null) {
            channel.close();
        }
    }

    private static String describe(Throwable cause) {
        String message = cause.getMessage();
        if (message == null) {
            return cause.getClass().getSimpleName();
        }
        // Epoll words it "finishConnect(..) failed with error(-111): Connection refused: /127.0.0.1:9001".
        int prefixEnd = message.indexOf("): ");
        return (prefixEnd >= 0 ? message.substring(prefixEnd + 3) : message).replace('"', '\'');
    }
}
