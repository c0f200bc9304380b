package dev.forwarder.app.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.joran.spi.JoranException;
import ch.qos.logback.core.util.StatusPrinter2;
import dev.forwarder.app.config.LogFormat;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URL;

/**
 * Puts {@code forwarder.log.format} into effect. The bundled {@code logback.xml} writes text; {@code json} loads
 * {@code logback-json.xml} in its place (the same appenders and loggers, with Logback's {@code JsonEncoder}). Called
 * once, after the config is read and before any listener exists, so no line is lost in the switch. A
 * {@code -Dlogback.configurationFile} given by the operator wins: then this does nothing.
 */
public final class LogFormats {

    static final String JSON_CONFIG = "/logback-json.xml";

    private static final Logger log = LoggerFactory.getLogger(LogFormats.class);

    private LogFormats() {
    }

    /** Switches the process's logging to {@code format}; text is what Logback starts with. */
    public static void use(LogFormat format) {
        if (format == LogFormat.TEXT) {
            return;
        }
        String operatorFile = System.getProperty("logback.configurationFile");
        if (operatorFile != null) {
            log.info("log format from logback.configurationFile={}, not forwarder.log.format={}", operatorFile,
                    format.label());
            return;
        }
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (!(factory instanceof LoggerContext context)) {
            log.warn("cannot switch log format={}: not Logback ({})", format.label(), factory.getClass().getName());
            return;
        }
        URL json = LogFormats.class.getResource(JSON_CONFIG);
        context.reset();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        try {
            configurator.doConfigure(json);
        } catch (JoranException e) {
            // Logback has recorded why in its status list; show it, as Logback itself does for a bad logback.xml.
            new StatusPrinter2().printInCaseOfErrorsOrWarnings(context);
        }
    }
}
