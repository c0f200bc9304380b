package dev.forwarder.app.capture;

/** What {@code run --dump} prints: every chunk in hex with summaries and the timeline, or only the last two. */
public enum DumpMode {
    /** {@code --dump}: a header and a {@code hexdump -C} dump per chunk, protocol summaries, the timeline. */
    FULL,
    /** {@code --dump=summary}: protocol summaries and the timeline, one line per event. */
    SUMMARY
}
