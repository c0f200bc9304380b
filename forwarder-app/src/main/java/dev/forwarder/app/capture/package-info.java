/**
 * Traffic inspection: what {@code run --dump} prints and what a listener's {@code capture} block records. A
 * {@link dev.forwarder.app.capture.TrafficRecorder} (a core {@code TrafficObserver}) copies bounded chunks on the
 * event loop into a {@link dev.forwarder.app.capture.CaptureQueue}; one writer thread per queue turns them into
 * {@code hexdump -C} text with protocol summaries ({@link dev.forwarder.app.capture.TextSink}) or pcap files with
 * both legs of each connection ({@link dev.forwarder.app.capture.PcapSink}). {@link
 * dev.forwarder.app.capture.CaptureManager} starts and stops captures per listener, for new and live connections.
 */
package dev.forwarder.app.capture;
