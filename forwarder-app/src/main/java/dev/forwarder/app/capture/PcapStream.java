package dev.forwarder.app.capture;

/**
 * Pcap records into a live tap's stream: the global header first (so that a reader such as {@code tshark -r -} or
 * {@code wireshark -k -i -} can start at once), then one record per packet, as {@link PcapFiles} writes them.
 */
final class PcapStream implements PcapOut {

    private final TapOutput out;
    private final String name;

    PcapStream(TapOutput out, String name) {
        this.out = out;
        this.name = name;
        byte[] header = PcapFiles.globalHeader();
        out.write(header, 0, header.length);
    }

    @Override
    public void write(long epochNanos, byte[] packet) {
        byte[] header = PcapFiles.recordHeader(epochNanos, packet.length);
        out.write(header, 0, header.length);
        out.write(packet, 0, packet.length);
    }

    @Override
    public void flush() {
        out.flush();
    }

    @Override
    public String where() {
        return "tap=" + name;
    }

    @Override
    public void close() {
        // The tap's sink ends the output, after its last line.
    }
}
