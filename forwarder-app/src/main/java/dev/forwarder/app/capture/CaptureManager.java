package dev.forwarder.app.capture;

import dev.forwarder.core.BoundListener;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The captures of one forwarder, at most one per listener: {@link #start} attaches a capture to the listener's open
 * connections and to every new one ({@link BoundListener#observeTraffic}), {@link #stop} detaches it from all of
 * them and closes its files once the writer has caught up. A listener without a capture has no observer, so its
 * connections relay (and splice) exactly as without this class. Any thread but the relay's event loops.
 */
public final class CaptureManager implements AutoCloseable {

    /** The logger {@code mode = hexdump} writes to, one event per chunk (header line and dump). */
    public static final String LOGGER = "dev.forwarder.capture";

    /** {@link #origin} of a capture the config set. */
    public static final String CONFIG = "config";

    private static final Logger log = LoggerFactory.getLogger(CaptureManager.class);
    private static final Logger captureLog = LoggerFactory.getLogger(LOGGER);

    private record Active(BoundListener listener, CaptureSettings settings, CaptureQueue queue, PcapFiles files,
            AutoCloseable handle) {
    }

    // Guarded by this: starting and stopping are rare (config, admin), never on the relay's path.
    private final Map<String, Active> active = new LinkedHashMap<>();
    // Who started each running capture: "config", or who asked at runtime (e.g. "admin-api@127.0.0.1").
    private final Map<String, String> origins = new LinkedHashMap<>();
    // Every pcap capture started, running or not, so that their files can still be listed after a stop.
    private final Map<String, PcapFiles> written = new LinkedHashMap<>();

    /**
     * Captures {@code listener}'s traffic with {@code settings} from now on, open connections included, replacing
     * a capture it had; {@code mode = off} only stops the one it had.
     */
    public synchronized void start(BoundListener listener, CaptureSettings settings) {
        stop(listener.name());
        if (settings.mode() == CaptureMode.OFF) {
            return;
        }
        PcapFiles files = null;
        CaptureSink sink;
        if (settings.mode() == CaptureMode.PCAP) {
            files = new PcapFiles(settings.dir(), listener.name(), settings.maxFileSize(), settings.maxFiles());
            sink = new PcapSink(files);
            written.put(listener.name() + "\0" + settings.dir().toAbsolutePath(), files);
        } else {
            sink = new TextSink(DumpMode.FULL, text -> captureLog.info("{}", text.stripTrailing()), () -> { });
        }
        CaptureQueue queue = new CaptureQueue(listener.name(), sink, CaptureQueue.DEFAULT_BOUND);
        TrafficRecorder recorder = new TrafficRecorder(queue, settings.maxBytes(), false);
        AutoCloseable handle = listener.observeTraffic(connection -> true, recorder);
        active.put(listener.name(), new Active(listener, settings, queue, files, handle));
        log.info("capture started listener={} mode={} max_bytes={}{}", listener.name(), settings.mode().label(),
                settings.maxBytes(), files == null ? "" : " dir=" + settings.dir().toAbsolutePath());
    }

    /**
     * {@link #start} as the config asks (at start-up, or a reload that changed the listener's {@code capture} or
     * bound it anew); where that replaces a capture started or stopped at runtime, says so in a log line.
     */
    public synchronized void startFromConfig(BoundListener listener, CaptureSettings settings) {
        String origin = origins.get(listener.name());
        if (origin != null && !origin.equals(CONFIG)) {
            log.warn("capture set at runtime replaced by the config listener={} by={} was={} now={}", listener.name(),
                    origin, settings(listener.name()).mode().label(), settings.mode().label());
        }
        start(listener, settings);
        origins.put(listener.name(), CONFIG);
    }

    /**
     * {@link #start} (or, with {@code mode = off}, a stop) asked at runtime by {@code by}; it stays until asked
     * again, or until a reload changes the listener's {@code capture} block or binds it anew.
     */
    public synchronized void startAtRuntime(BoundListener listener, CaptureSettings settings, String by) {
        start(listener, settings);
        origins.put(listener.name(), by);
        log.info("capture set at runtime listener={} mode={} by={}", listener.name(), settings.mode().label(), by);
    }

    /** Who set the capture in force on {@code listener}: {@code config}, or who asked at runtime. */
    public synchronized String origin(String listener) {
        return origins.getOrDefault(listener, CONFIG);
    }

    /** A listener removed from the config: its capture stops and is forgotten. */
    public synchronized void forget(String listener) {
        stop(listener);
        origins.remove(listener);
    }

    /**
     * Stops the capture of the listener named {@code listener}, if any: detaches from its connections, writes what
     * is queued and closes the file.
     *
     * @return whether it had one
     */
    public synchronized boolean stop(String listener) {
        Active capture = active.remove(listener);
        if (capture == null) {
            return false;
        }
        try {
            capture.handle().close();
        } catch (Exception e) {
            log.warn("capture detach failed listener={} error=\"{}\"", listener, e.toString());
        }
        capture.queue().close();
        log.info("capture stopped listener={} dropped_chunks={}", listener, capture.queue().dropped());
        return true;
    }

    /** The settings of each running capture, by listener name. */
    public synchronized Map<String, CaptureSettings> active() {
        Map<String, CaptureSettings> settings = new LinkedHashMap<>();
        active.forEach((name, capture) -> settings.put(name, capture.settings()));
        return settings;
    }

    /** The settings {@code listener} captures with, or {@link CaptureSettings#OFF}. */
    public synchronized CaptureSettings settings(String listener) {
        Active capture = active.get(listener);
        return capture == null ? CaptureSettings.OFF : capture.settings();
    }

    /**
     * The pcap files of every pcap capture this forwarder ran, running or stopped, oldest first per listener; the
     * file a running capture writes is complete up to its last flush (the writer flushes whenever it catches up).
     */
    public synchronized List<Path> files() throws IOException {
        List<Path> all = new ArrayList<>();
        for (PcapFiles files : written.values()) {
            all.addAll(files.files());
        }
        return all;
    }

    /** Stops every capture. */
    @Override
    public synchronized void close() {
        for (String listener : List.copyOf(active.keySet())) {
            stop(listener);
        }
    }
}
