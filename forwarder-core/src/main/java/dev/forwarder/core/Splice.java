package dev.forwarder.core;

/**
 * Whether a listener relays bulk transfers with Linux {@code splice(2)}: socket to pipe to socket, the bytes never
 * copied into the JVM. Only the epoll transport can; on NIO the setting has no effect.
 */
public enum Splice {
    /**
     * A direction of a connection switches to splice once one read brings at least
     * {@code 16 KiB} (a bulk transfer, not small requests); it stays spliced until the connection ends.
     */
    AUTO,
    /** Every byte passes through pooled buffers. */
    OFF
}
