package dev.forwarder.app.reload;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What SIGHUP does in {@code run}: a reload. Installed before the config is read, so that a SIGHUP while forwarder
 * starts does not end the process (the JVM's default for SIGHUP is to exit with status 129); such an early SIGHUP
 * is remembered and answered with one reload as soon as the listeners are bound, since the file may have changed
 * after it was read.
 */
public final class ReloadOnHangUp implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(ReloadOnHangUp.class);

    private final AtomicReference<Reloader> reloader = new AtomicReference<>();
    private final AtomicBoolean early = new AtomicBoolean();

    /** Runs on the JVM's signal thread, one thread per signal. */
    @Override
    public void run() {
        Reloader ready = reloader.get();
        if (ready == null) {
            early.set(true);
            log.info("received signal=SIGHUP while starting, reloading once the listeners are bound");
            // Started meanwhile: the flag may have been checked already; take it back and reload here.
            ready = reloader.get();
            if (ready == null || !early.compareAndSet(true, false)) {
                return;
            }
        } else {
            log.info("received signal=SIGHUP, reloading config={}", ready.configFile());
        }
        ready.reload();
    }

    /** Forwarder runs: from now on SIGHUP reloads, and a SIGHUP that came while starting reloads now. */
    public void ready(Reloader running) {
        reloader.set(running);
        if (early.compareAndSet(true, false)) {
            running.reload();
        }
    }
}
