package dev.forwarder.core.relay;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.util.ReferenceCountUtil;

import java.util.ArrayDeque;

/**
 * What a client sends before its backend is connected (the client side reads while connecting, so that a reset
 * ends the pick at once): held in order and written to whichever backend the connect finally reaches. Reading
 * stops once more than the high water mark waits. On the event loop; created only when a byte arrives early.
 * Most clients send one request before the connect completes: it waits in a field, a queue only for more.
 */
final class EarlyBytes {

    private Object first;
    private ArrayDeque<Object> more;
    private long bytes;

    /** Holds {@code msg}; stops reading {@code client} once more than {@code highWaterMark} bytes wait. */
    void hold(Object msg, Channel client, int highWaterMark) {
        if (first == null) {
            first = msg;
        } else {
            if (more == null) {
                more = new ArrayDeque<>(4);
            }
            more.add(msg);
        }
        if (msg instanceof ByteBuf buf) {
            bytes += buf.readableBytes();
            if (bytes > highWaterMark) {
                client.config().setAutoRead(false);
            }
        }
    }

    long bytes() {
        return bytes;
    }

    /** Writes everything held to the backend, in order. */
    void writeTo(Channel backend) {
        if (first != null) {
            backend.write(first, backend.voidPromise());
            first = null;
        }
        if (more != null) {
            for (Object msg; (msg = more.poll()) != null; ) {
                backend.write(msg, backend.voidPromise());
            }
        }
        bytes = 0;
        backend.flush();
    }

    void release() {
        if (first != null) {
            ReferenceCountUtil.release(first);
            first = null;
        }
        if (more != null) {
            more.forEach(ReferenceCountUtil::release);
            more.clear();
        }
        bytes = 0;
    }
}
