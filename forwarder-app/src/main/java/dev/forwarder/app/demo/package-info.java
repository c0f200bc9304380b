/**
 * {@code forwarder demo}: three small local backends that answer with their own name, a forwarder balancing over
 * them, and a client that shows the answers alternating. Needs no other server.
 */
package dev.forwarder.app.demo;
