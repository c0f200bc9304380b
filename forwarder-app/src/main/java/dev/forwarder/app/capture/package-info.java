/**
 * Traffic inspection: what {@code run --dump} prints and what a listener's {@code capture} block records. A
 * {@link dev.forwarder.app.capture.TrafficRecorder} (a core {@code TrafficObserver}) copies bounded chunks on the
 * event loop into a {@link dev.forwarder.app.capture.CaptureQueue}; one writer thread per queue turns them into
 * {@code hexdump -C} text with protocol summaries ({@link dev.forwarder.app.capture.TextSink}) or pcap files with
 * both legs of each connection ({@link dev.forwarder.app.capture.PcapSink}). {@link
 * dev.forwarder.app.capture.CaptureManager} starts and stops captures per listener, for new and live connections.
 * A live {@link dev.forwarder.app.capture.Tap} ({@code GET /api/tap}) is the same on a queue of its own, bounded in
 * bytes and time, streaming to a {@link dev.forwarder.app.capture.TapOutput}; it leaves a connection while its reader
 * is behind, so the relay is never slowed ({@link dev.forwarder.app.capture.Taps} keeps at most eight).
 */
package dev.forwarder.app.capture;
