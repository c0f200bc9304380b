package dev.forwarder.core.relay;

import io.netty.channel.Channel;

import java.net.SocketAddress;

/**
 * Where the channel for each backend connect try comes from: the transport's client channel in production; a test
 * hands in channels whose connect it completes itself (see {@code RelayStateMachineTest}).
 */
@FunctionalInterface
interface BackendChannels {

    /** A new, unregistered channel for connecting to {@code remote}. */
    Channel newChannel(SocketAddress remote);
}
