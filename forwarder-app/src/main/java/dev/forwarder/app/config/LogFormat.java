package dev.forwarder.app.config;

import java.util.Locale;

/** How {@code run} writes its log lines ({@code forwarder.log.format}). */
public enum LogFormat {
    /** One line of text per event: time, level, thread, logger, then key=value context. */
    TEXT,
    /** One JSON object per line (Logback's {@code JsonEncoder}), the message's arguments kept as fields. */
    JSON;

    /** The name the config uses, e.g. {@code json}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
