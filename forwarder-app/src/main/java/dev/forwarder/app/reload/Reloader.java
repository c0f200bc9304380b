package dev.forwarder.app.reload;

import dev.forwarder.app.Forwarder;
import dev.forwarder.app.Reconfiguration;
import dev.forwarder.app.config.ConfigError;
import dev.forwarder.app.config.ConfigLoader;
import dev.forwarder.app.config.ForwarderConfig;
import dev.forwarder.core.ListenerBindException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Reloads a running {@link Forwarder} from the config file it was started with: reads and validates the file as
 * {@code run} does at start ({@link ConfigLoader}, same {@code FILE:LINE: KEY} messages), then applies it in place
 * ({@link Forwarder#apply}), which cuts no established connection. A file that does not validate, a new listener
 * that cannot bind, or a change that needs a restart leaves the running config exactly as it was.
 *
 * <p>One reload runs at a time: a reload asked for while another runs waits for it, then reads the file afresh, so
 * the last of several quick edits, each followed by SIGHUP, is the one that ends up running. A reload is quick
 * (listeners that leave drain in the background), so the wait is short.
 *
 * <p>Each reload logs one line on this class's logger: {@code reloaded config=FILE took_ms=N listeners_added=...}
 * at INFO, or {@code reload refused config=FILE took_ms=N error="..."} at WARN.
 */
public final class Reloader {

    private static final Logger log = LoggerFactory.getLogger(Reloader.class);

    private final Path configFile;
    private final Forwarder forwarder;
    private final Object oneAtATime = new Object();

    /**
     * @param configFile the file {@code forwarder} was started from, read again at every reload
     * @param forwarder the running forwarder to change
     */
    public Reloader(Path configFile, Forwarder forwarder) {
        this.configFile = Objects.requireNonNull(configFile, "configFile");
        this.forwarder = Objects.requireNonNull(forwarder, "forwarder");
    }

    /** The file each reload reads. */
    public Path configFile() {
        return configFile;
    }

    /**
     * Reads the config file again and applies it; waits while another reload runs. Never throws for a bad file or
     * a refused change: the result says what happened.
     */
    public ReloadResult reload() {
        synchronized (oneAtATime) {
            long started = System.nanoTime();
            ReloadResult result = attempt();
            long tookMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            if (result.ok()) {
                log.info("reloaded config={} took_ms={} {}", configFile, tookMs, result.message());
            } else {
                log.warn("reload refused config={} took_ms={} error=\"{}\" (the running config stays)", configFile,
                        tookMs, result.message());
            }
            return result;
        }
    }

    private ReloadResult attempt() {
        ForwarderConfig next;
        try {
            next = ConfigLoader.load(configFile);
        } catch (ConfigError e) {
            return new ReloadResult(false, "config error: " + e.getMessage());
        }
        ForwarderConfig running = forwarder.config();
        if (next.logFormat() != running.logFormat()) {
            return new ReloadResult(false, "forwarder.log.format: " + next.logFormat().label()
                    + " needs a restart (expected: " + running.logFormat().label() + " while running)");
        }
        try {
            Reconfiguration changed = forwarder.apply(next);
            return new ReloadResult(true, changed.toString());
        } catch (ListenerBindException e) {
            return new ReloadResult(false, e.getMessage());
        } catch (IllegalArgumentException | IllegalStateException e) {
            // A setting that needs a restart, or a forwarder that is stopping.
            return new ReloadResult(false, String.valueOf(e.getMessage()));
        } catch (RuntimeException e) {
            log.warn("reload failed config={}", configFile, e);
            return new ReloadResult(false, "unexpected error: " + e);
        }
    }
}
