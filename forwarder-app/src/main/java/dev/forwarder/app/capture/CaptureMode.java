package dev.forwarder.app.capture;

import java.util.Locale;

/** What a listener's capture records: nothing, hex dumps to the {@code dev.forwarder.capture} logger, or pcap files. */
public enum CaptureMode {
    OFF,
    HEXDUMP,
    PCAP;

    /** The name the config uses, e.g. {@code hexdump}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
