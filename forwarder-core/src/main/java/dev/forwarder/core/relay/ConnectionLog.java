package dev.forwarder.core.relay;

import dev.forwarder.core.Addresses;
import dev.forwarder.core.ConnectionInfo;
import dev.forwarder.core.ConnectionObserver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * The connection log: an {@code open} line when relaying starts and a {@code close} line when the connection ends,
 * on the {@value #LOGGER} logger at INFO. Stateless and shared by every listener.
 */
final class ConnectionLog implements ConnectionObserver {

    static final String LOGGER = "dev.forwarder.connection";
    static final ConnectionLog INSTANCE = new ConnectionLog();

    private static final Logger log = LoggerFactory.getLogger(LOGGER);

    private ConnectionLog() {
    }

    /** A cause as a log value: the message, with the class's simple name for I/O errors. */
    static String describe(Throwable cause) {
        if (cause == null) {
            return "-";
        }
        String message = cause.getMessage();
        String type = cause instanceof java.io.IOException ? cause.getClass().getSimpleName()
                : cause.getClass().getName();
        return message == null ? type : type + ": " + message;
    }

    @Override
    public boolean observesBytes() {
        return false;
    }

    @Override
    public void opened(ConnectionInfo c) {
        if (log.isInfoEnabled()) {
            log.info("open conn={} listener={} client={} backend={}{}", c.id(), c.listener(),
                    Addresses.format(c.client()), c.backend().name(),
                    c.failedBackends().isEmpty() ? "" : " failed=" + c.failedBackends());
        }
    }

    @Override
    public void closed(ConnectionInfo c) {
        if (log.isInfoEnabled()) {
            long spliced = c.bytesSpliced();
            log.info("close conn={} listener={} client={} backend={} bytes_up={} bytes_down={} duration_ms={} "
                            + "reason={}{}{}{}", c.id(), c.listener(), Addresses.format(c.client()),
                    c.backend() == null ? "-" : c.backend().name(), c.bytesUp(), c.bytesDown(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - c.acceptedNanos()), c.closeReason().label(),
                    c.failedBackends().isEmpty() ? "" : " failed=" + c.failedBackends(),
                    spliced == 0 ? "" : " spliced=" + spliced, c.tls() == null ? "" : " tls=" + c.tls());
        }
    }
}
