package dev.forwarder.app;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Turns SIGTERM and SIGINT into a graceful stop. The JVM's own handling runs shutdown hooks and exits with
 * 128+signal (143 for SIGTERM); handling the signals here lets the command drain connections and return 0.
 * A second signal while draining exits at once (status 1), unless it comes within a second of the first: wrappers
 * such as {@code timeout} or a shell often pass one Ctrl-C on as a second copy.
 *
 * <p>SIGHUP runs a hang-up action instead ({@code run}: a reload), which by default logs the signal and does nothing:
 * without a handler the JVM would exit with 129, cutting every transfer, for a signal operators send to ask for a
 * reload. {@link #onHangUp} takes SIGHUP over on its own, before the stop signals, so that it is handled from the
 * start of a command.
 */
final class StopSignals {

    private static final Logger log = LoggerFactory.getLogger(StopSignals.class);
    private static final long REPEAT_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final CountDownLatch received = new CountDownLatch(1);
    private final AtomicReference<Received> first = new AtomicReference<>();

    private record Received(String signal, long nanos) {
    }

    private StopSignals() {
    }

    /** Takes over SIGTERM and SIGINT for this process, and SIGHUP, which is logged and ignored. */
    static StopSignals install() {
        return install(StopSignals::reloadNotSupported);
    }

    /**
     * Takes over SIGTERM and SIGINT for this process, and SIGHUP for {@code onHangUp}.
     *
     * @param onHangUp what SIGHUP does, e.g. reload the config; runs on the JVM's signal thread, once per signal
     */
    static StopSignals install(Runnable onHangUp) {
        StopSignals signals = new StopSignals();
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), signals::onSignal);
        }
        onHangUp(onHangUp);
        return signals;
    }

    /**
     * Takes over SIGHUP only, for {@code onHangUp}; SIGTERM and SIGINT keep the JVM's default (exit at once).
     *
     * @param onHangUp runs on the JVM's signal thread (a thread per signal), once per signal
     */
    static void onHangUp(Runnable onHangUp) {
        Signal.handle(new Signal("HUP"), sig -> onHangUp.run());
    }

    private static void reloadNotSupported() {
        log.warn("received signal=SIGHUP, ignoring: nothing to reload");
    }

    private void onSignal(Signal sig) {
        Received now = new Received("SIG" + sig.getName(), System.nanoTime());
        if (first.compareAndSet(null, now)) {
            log.info("received signal={}", now.signal());
            received.countDown();
        } else if (now.nanos() - first.get().nanos() < REPEAT_NANOS) {
            log.debug("ignoring repeated signal={}", now.signal());
        } else {
            log.warn("received signal={} while stopping, exiting without waiting for connections", now.signal());
            Runtime.getRuntime().halt(Main.FAILURE);
        }
    }

    /** Blocks until the first signal and returns its name, e.g. {@code SIGTERM}. */
    String await() throws InterruptedException {
        received.await();
        return first.get().signal();
    }
}
