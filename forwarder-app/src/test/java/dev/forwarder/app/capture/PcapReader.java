package dev.forwarder.app.capture;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Reads back the pcap files the capture writes (IPv4 in LINKTYPE_RAW), independently of the writer's code. */
final class PcapReader {

    /** One TCP segment: ports, flags and payload. */
    record Segment(int srcPort, int dstPort, int flags, long seq, byte[] payload) {
    }

    private PcapReader() {
    }

    static List<Segment> read(Path file) throws IOException {
        ByteBuffer in = ByteBuffer.wrap(Files.readAllBytes(file));
        assertThat(in.getInt()).as("pcap magic").isEqualTo(0xa1b2c3d4);
        in.position(20);
        assertThat(in.getInt()).as("link type").isEqualTo(101);
        List<Segment> segments = new ArrayList<>();
        while (in.remaining() >= 16) {
            in.getInt();
            in.getInt();
            int included = in.getInt();
            in.getInt();
            int start = in.position();
            int ipHeader = (in.get(start) & 0x0f) * 4;
            int tcp = start + ipHeader;
            int tcpHeader = ((in.get(tcp + 12) & 0xff) >>> 4) * 4;
            byte[] payload = new byte[included - ipHeader - tcpHeader];
            in.get(tcp + tcpHeader, payload);
            segments.add(new Segment(in.getShort(tcp) & 0xffff, in.getShort(tcp + 2) & 0xffff,
                    in.get(tcp + 13) & 0xff, in.getInt(tcp + 4) & 0xffffffffL, payload));
            in.position(start + included);
        }
        return segments;
    }

    /** The payload bytes each (source port, destination port) pair sent, in file order. */
    static Map<String, byte[]> payloadByFlow(List<Segment> segments) {
        Map<String, ByteArrayOutputStream> flows = new LinkedHashMap<>();
        for (Segment segment : segments) {
            flows.computeIfAbsent(segment.srcPort() + ">" + segment.dstPort(), k -> new ByteArrayOutputStream())
                    .writeBytes(segment.payload());
        }
        Map<String, byte[]> out = new LinkedHashMap<>();
        flows.forEach((flow, bytes) -> out.put(flow, bytes.toByteArray()));
        return out;
    }
}
