package dev.forwarder.app.admin;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.forwarder.app.Forwarder;
import dev.forwarder.app.capture.Tap;
import dev.forwarder.app.capture.TapFilter;
import dev.forwarder.app.capture.TapSettings;
import dev.forwarder.app.capture.Taps;
import dev.forwarder.core.BoundListener;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static dev.forwarder.app.admin.AdminResponse.MAPPER;

/**
 * {@code GET /api/tap?listener=&client=&backend=&conn=&format=text|pcap&max-bytes=&seconds=}, the live tap, and
 * {@code GET /api/taps}, the running ones with what they took and dropped. {@code max-bytes} defaults to 64 MiB (at
 * most 1 GiB), {@code seconds} to 60 (at most 3600); beyond is 400; more than {@value Taps#MAX} taps at once is 503.
 */
final class TapActions {

    static final Set<String> PARAMETERS = Set.of("listener", "client", "backend", "conn", "format", "max-bytes",
            "seconds");

    private final Forwarder forwarder;
    private final Taps taps = new Taps();

    TapActions(Forwarder forwarder) {
        this.forwarder = forwarder;
    }

    Taps taps() {
        return taps;
    }

    AdminResponse tap(Map<String, List<String>> query) {
        for (String name : query.keySet()) {
            if (!PARAMETERS.contains(name)) {
                return AdminResponse.error(HttpResponseStatus.BAD_REQUEST, name + ": unknown parameter (expected:"
                        + " listener, client, backend, conn, format, max-bytes, seconds)");
            }
        }
        String listenerName = param(query, "listener");
        TapSettings.Format format;
        String formatText = param(query, "format");
        if (formatText == null || formatText.equals("text")) {
            format = TapSettings.Format.TEXT;
        } else if (formatText.equals("pcap")) {
            format = TapSettings.Format.PCAP;
        } else {
            return AdminResponse.error(HttpResponseStatus.BAD_REQUEST, "format: " + formatText
                    + " (expected: text or pcap)");
        }
        TapSettings settings;
        try {
            long maxBytes = number(query, "max-bytes", TapSettings.DEFAULT_MAX_BYTES, TapSettings.MAX_BYTES);
            long seconds = number(query, "seconds", TapSettings.DEFAULT_DURATION.toSeconds(),
                    TapSettings.MAX_DURATION.toSeconds());
            settings = new TapSettings(format, maxBytes, Duration.ofSeconds(seconds));
        } catch (IllegalArgumentException e) {
            return AdminResponse.error(HttpResponseStatus.BAD_REQUEST, e.getMessage());
        }
        List<BoundListener> listeners = new ArrayList<>();
        for (String name : forwarder.config().listeners().keySet()) {
            if (listenerName == null || listenerName.equals(name)) {
                try {
                    listeners.add(forwarder.listener(name));
                } catch (IllegalArgumentException removedMeanwhile) {
                    // a reload removed it between the config read and now
                }
            }
        }
        if (listenerName != null && listeners.isEmpty()) {
            return AdminResponse.error(HttpResponseStatus.NOT_FOUND, "no listener " + listenerName);
        }
        // Taps start on the admin port's one thread: this check and the start cannot race.
        if (taps.full()) {
            return AdminResponse.error(HttpResponseStatus.SERVICE_UNAVAILABLE, "too many taps: " + Taps.MAX
                    + " run already (GET /api/taps)");
        }
        TapFilter filter = new TapFilter(listenerName, param(query, "client"), param(query, "backend"),
                param(query, "conn"));
        return AdminResponse.stream(new TapResponse(taps, listeners, filter, settings));
    }

    private static long number(Map<String, List<String>> query, String name, long fallback, long max) {
        String text = param(query, name);
        if (text == null) {
            return fallback;
        }
        long value;
        try {
            value = Long.parseLong(text);
        } catch (NumberFormatException e) {
            value = -1;
        }
        if (value < 1 || value > max) {
            throw new IllegalArgumentException(name + ": " + text + " (expected: 1-" + max + ")");
        }
        return value;
    }

    /** {@code GET /api/taps}. */
    AdminResponse list() {
        ArrayNode running = MAPPER.createArrayNode();
        for (Tap tap : taps.running()) {
            ObjectNode node = running.addObject();
            node.put("id", tap.id());
            node.put("filter", tap.filter().toString());
            node.put("format", tap.settings().format().label());
            node.put("max_bytes", tap.settings().maxBytes());
            node.put("seconds", tap.settings().duration().toSeconds());
            node.put("started", tap.started().toString());
            node.put("taken_bytes", tap.takenBytes());
            node.put("dropped_bytes", tap.droppedBytesNow());
        }
        ObjectNode body = MAPPER.createObjectNode();
        body.put("max", Taps.MAX);
        body.put("started_total", taps.startedTotal());
        body.put("dropped_bytes_total", taps.droppedBytesTotal());
        body.set("taps", running);
        return AdminResponse.ok(body);
    }

    private static String param(Map<String, List<String>> query, String name) {
        List<String> values = query.get(name);
        return values == null || values.isEmpty() || values.get(0).isEmpty() ? null : values.get(0);
    }
}
