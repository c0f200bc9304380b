package dev.forwarder.core.transport;

import io.netty.channel.IoHandle;
import io.netty.channel.IoHandler;
import io.netty.channel.IoHandlerContext;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.IoOps;
import io.netty.channel.IoRegistration;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollIoOps;
import io.netty.util.concurrent.ThreadAwareExecutor;

/**
 * Netty's epoll {@link IoHandler}, mended for half-closed sockets.
 *
 * <p>In Netty 4.2.18 (and 4.2.20), when a channel's interest set becomes empty, its registration removes the fd
 * from epoll ({@code EPOLL_CTL_DEL}) but still believes the fd is added, so the next interest it submits is an
 * {@code EPOLL_CTL_MOD} that fails with {@code ENOENT}. A relayed client that sends a request and then FIN
 * reaches exactly that state: input shut down, {@code EPOLLIN} and {@code EPOLLRDHUP} cleared, nothing queued.
 * When the backend's answer then fills the client's socket buffer, the {@code EPOLLOUT} it needs cannot be set
 * and the answer is cut short (seen here on every 64 MiB answer); a {@code read()} fails the same way.
 *
 * <p>The mend: an empty interest set is submitted as {@code EPOLLET} alone. The fd stays in epoll, asks for no
 * readiness event, and hears a hang-up or error at most once (edge-triggered), so nothing spins.
 */
public final class HalfCloseSafeEpoll {

    private HalfCloseSafeEpoll() {
    }

    /** A factory of epoll I/O handlers whose registrations never submit an empty interest set. */
    public static IoHandlerFactory newFactory() {
        IoHandlerFactory epoll = EpollIoHandler.newFactory();
        return new IoHandlerFactory() {
            @Override
            public IoHandler newHandler(ThreadAwareExecutor executor) {
                return new Handler(epoll.newHandler(executor));
            }

            @Override
            public boolean isChangingThreadSupported() {
                return epoll.isChangingThreadSupported();
            }
        };
    }

    /** What a registration actually submits for {@code ops}: never the empty set. */
    static IoOps effective(IoOps ops) {
        return ((EpollIoOps) ops).value() == 0 ? EpollIoOps.EPOLLET : ops;
    }

    private static final class Handler implements IoHandler {

        private final IoHandler delegate;

        Handler(IoHandler delegate) {
            this.delegate = delegate;
        }

        @Override
        public void initialize() {
            delegate.initialize();
        }

        @Override
        public int run(IoHandlerContext context) {
            return delegate.run(context);
        }

        @Override
        public void prepareToDestroy() {
            delegate.prepareToDestroy();
        }

        @Override
        public void destroy() {
            delegate.destroy();
        }

        @Override
        public IoRegistration register(IoHandle handle) throws Exception {
            return new Registration(delegate.register(handle));
        }

        @Override
        public void wakeup() {
            delegate.wakeup();
        }

        @Override
        public boolean isCompatible(Class<? extends IoHandle> handleType) {
            return delegate.isCompatible(handleType);
        }
    }

    private static final class Registration implements IoRegistration {

        private final IoRegistration delegate;
        // What the fd is registered for now; Netty submits the same set again at times (after a connect, for
        // one), and each submit is an epoll_ctl call.
        private long submitted = Long.MIN_VALUE;

        Registration(IoRegistration delegate) {
            this.delegate = delegate;
        }

        @Override
        public <T> T attachment() {
            return delegate.attachment();
        }

        @Override
        public long submit(IoOps ops) {
            IoOps effective = effective(ops);
            long value = ((EpollIoOps) effective).value();
            if (value == submitted) {
                return value;
            }
            long result = delegate.submit(effective);
            // -1: cancelled; anything else is what epoll now holds.
            submitted = result == value ? value : Long.MIN_VALUE;
            return result;
        }

        @Override
        public boolean isValid() {
            return delegate.isValid();
        }

        @Override
        public boolean cancel() {
            return delegate.cancel();
        }
    }

}
