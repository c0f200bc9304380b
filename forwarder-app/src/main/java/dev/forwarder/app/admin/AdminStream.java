package dev.forwarder.app.admin;

import io.netty.channel.ChannelHandlerContext;

/**
 * A response too big or too long-lived to build whole (a file download, a live tap): {@link AdminHandler} hands it
 * the connection, and it writes the head, the body as the client takes it (never more than the channel's write
 * buffer holds ahead of the client), and ends the response by closing the connection. Requests that arrive on that
 * connection meanwhile are dropped.
 */
interface AdminStream {

    /** On the admin port's event loop, once: starts writing the response on {@code ctx}. */
    void start(ChannelHandlerContext ctx);
}
