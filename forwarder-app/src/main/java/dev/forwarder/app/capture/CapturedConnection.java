package dev.forwarder.app.capture;

/**
 * One connection as a capture sees it. The first group of fields is touched only on the connection's event loop
 * (what was captured so far, against {@code max-bytes}); the second only on the writer thread (summaries, pcap
 * sequence numbers). The queue between them orders what each sees, so neither group needs {@code volatile}.
 */
final class CapturedConnection {

    final String id;
    final String listener;
    final long acceptedNanos;

    // ---- event loop -----------------------------------------------------------------------------------------
    long capturedUp;
    long capturedDown;
    /** Both directions reached {@code max-bytes}: the capture leaves the connection, which may splice again. */
    boolean full;

    // ---- writer thread --------------------------------------------------------------------------------------
    /** Where each direction's next byte is expected (a later offset means bytes were not captured). */
    long nextUp = -1;
    long nextDown = -1;
    Sniffer sniffUp;
    Sniffer sniffDown;
    /** The pcap sink's state for this connection, created on its first event. */
    Object pcap;

    CapturedConnection(String id, String listener, long acceptedNanos) {
        this.id = id;
        this.listener = listener;
        this.acceptedNanos = acceptedNanos;
    }
}
