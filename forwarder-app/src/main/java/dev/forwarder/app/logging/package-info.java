/**
 * Logback pieces of the executable: the buffered appender the connection log lines go through, and
 * {@code forwarder.log.format} (text or JSON lines) put into effect at start.
 */
package dev.forwarder.app.logging;
