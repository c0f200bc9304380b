/** Choosing and building the Netty transport: native epoll where it loads, NIO otherwise. */
package dev.forwarder.core.transport;
