package dev.forwarder.core.relay;

import dev.forwarder.core.Backend;
import dev.forwarder.core.ConnectionInfo;
import dev.forwarder.core.ConnectionObserver;
import dev.forwarder.core.FirstClose;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;

/**
 * The connection log, on the {@value #LOGGER} logger: one {@code close} line per connection at INFO, when it ends,
 * with its whole timeline (see {@link AccessLine}); an {@code open} line at DEBUG when relaying starts. Stateless and
 * shared by every listener; each line is built in a builder the writing thread reuses and handed to the logger as
 * one finished message (no template, no argument array, no boxing).
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

    /** {@code summary="..."} with quotes and backslashes escaped and control characters as {@code .}; or "". */
    static String summary(String summary) {
        return quoted("summary", summary);
    }

    /** {@code  key="value"} with quotes and backslashes escaped and control characters as {@code .}; or "". */
    static String quoted(String key, String summary) {
        if (summary == null) {
            return "";
        }
        StringBuilder out = new StringBuilder(summary.length() + 12).append(' ').append(key).append("=\"");
        for (int i = 0; i < summary.length(); i++) {
            char ch = summary.charAt(i);
            if (ch == '"' || ch == '\\') {
                out.append('\\').append(ch);
            } else {
                out.append(ch < 0x20 || ch == 0x7f ? '.' : ch);
            }
        }
        return out.append('"').toString();
    }

    @Override
    public boolean observesBytes() {
        return false;
    }

    @Override
    public void opened(ConnectionInfo c) {
        if (log.isDebugEnabled()) {
            StringBuilder line = AccessLine.builder().append("open conn=").append(c.id())
                    .append(" listener=").append(c.listener()).append(" client=");
            AccessLine.address(line, c.client());
            line.append(" backend=").append(c.backend().name());
            failed(line, c.failedBackends());
            log.debug(line.toString());
        }
    }

    /**
     * {@code close conn= listener= client= backend= bytes_up= bytes_down= duration_ms= reason= accepted= connect_ms=
     * first_up_ms= first_down_ms= first_close=}, then the optional fields, each present only where it applies.
     */
    @Override
    public void closed(ConnectionInfo c) {
        if (log.isInfoEnabled()) {
            log.info(closeLine(c));
        }
    }

    /** The close line's message. */
    static String closeLine(ConnectionInfo c) {
        long now = System.nanoTime();
        long accepted = c.acceptedNanos();
        Backend backend = c.backend();
        StringBuilder line = AccessLine.builder().append("close conn=").append(c.id())
                .append(" listener=").append(c.listener()).append(" client=");
        AccessLine.address(line, c.client());
        line.append(" backend=").append(backend == null ? "-" : backend.name())
                .append(" bytes_up=").append(c.bytesUp())
                .append(" bytes_down=").append(c.bytesDown())
                .append(" duration_ms=").append((now - accepted) / 1_000_000)
                .append(" reason=").append(c.closeReason().label())
                .append(" accepted=");
        AccessLine.instant(line, c.acceptedMillis());
        line.append(" connect_ms=");
        AccessLine.millis(line, accepted, c.connectedNanos());
        line.append(" first_up_ms=");
        AccessLine.millis(line, accepted, c.firstUpNanos());
        line.append(" first_down_ms=");
        AccessLine.millis(line, accepted, c.firstDownNanos());
        FirstClose first = c.firstClose();
        line.append(" first_close=").append(first == null ? "-" : first.label());
        // Optional fields, each " key=value" and only where it applies. Further ones (a protocol summary, TLS
        // details) are appended here, after the fixed ones, so that parsers of the fixed prefix keep working.
        failed(line, c.failedBackends());
        long spliced = c.bytesSpliced();
        if (spliced != 0) {
            line.append(" spliced=").append(spliced);
        }
        String tls = c.tls();
        if (tls != null) {
            line.append(" tls=").append(tls);
        }
        line.append(quoted("choice", c.choice())).append(summary(c.summary()));
        return line.toString();
    }

    /** {@code failed=[a, b]}, the backends that refused or timed out, in order; nothing when there were none. */
    private static void failed(StringBuilder line, List<Backend> failed) {
        if (failed.isEmpty()) {
            return;
        }
        line.append(" failed=[");
        for (int i = 0; i < failed.size(); i++) {
            line.append(i == 0 ? "" : ", ").append(failed.get(i));
        }
        line.append(']');
    }
}
