/** Logback pieces of the executable: the buffered appender the connection log lines go through. */
package dev.forwarder.app.logging;
