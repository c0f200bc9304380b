package dev.forwarder.core;

/**
 * Where a chooser notes what it saw when it picked a backend (the strategy and the numbers it compared), so that a
 * person can later ask why a connection went where it went. Noting stores a few values and builds nothing: the words
 * come from {@link Reason#describe} only when someone asks (a dump, {@code /api/connections}).
 *
 * <p>Called on the connection's event loop, during {@link BackendChooser#choose(java.net.SocketAddress,
 * java.util.List, ChoiceNote)}; a later pick of the same connection (a retry) replaces the note.
 */
public interface ChoiceNote {

    /** Notes nothing: for picks nobody will ask about. */
    ChoiceNote NONE = (reason, first, second, a, b, c) -> { };

    /**
     * @param reason turns the values into words; a constant of the strategy, so noting allocates nothing
     * @param first a backend the strategy looked at, or {@code null}
     * @param second another one, or {@code null}
     * @param a a number it compared (an active count, a position, a hash), as {@code reason} reads it
     * @param b another
     * @param c another
     */
    void note(Reason reason, Backend first, Backend second, long a, long b, long c);

    /** Says in words what a note's values mean, e.g. {@code least-connections active=2 lowest_of=3 highest=5}. */
    @FunctionalInterface
    interface Reason {
        String describe(Backend first, Backend second, long a, long b, long c);
    }
}
