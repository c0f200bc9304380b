package dev.forwarder.core;

/** Which Netty transport the relay runs on. */
public enum Transport {
    /** Native epoll where it is available, NIO otherwise. */
    AUTO,
    /** Native epoll; fails at start where it is not available. */
    EPOLL,
    /** Java NIO, available everywhere. */
    NIO
}
