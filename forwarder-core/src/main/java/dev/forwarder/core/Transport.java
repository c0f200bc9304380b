package dev.forwarder.core;

import java.util.Locale;

/** Which Netty transport the relay runs on. */
public enum Transport {
    /** Native epoll where it is available, NIO otherwise. */
    AUTO,
    /** Native epoll; fails at start where it is not available. */
    EPOLL,
    /**
     * Native io_uring (Linux 5.x and later); falls back to epoll, and says so in the log, where io_uring is not
     * available or is blocked (a container's seccomp profile, {@code kernel.io_uring_disabled}). Never splices.
     */
    IO_URING,
    /** Java NIO, available everywhere. */
    NIO;

    /** The name as the config spells it: {@code auto}, {@code epoll}, {@code io-uring}, {@code nio}. */
    public String configName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
