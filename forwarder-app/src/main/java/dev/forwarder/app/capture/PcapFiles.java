package dev.forwarder.app.capture;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.stream.Stream;

/**
 * The pcap files of one listener's capture: classic pcap (microseconds, {@code LINKTYPE_RAW}), named
 * {@code LISTENER-yyyyMMdd-HHmmss-NNNN.pcap} so that names sort by age; a file is closed and the next begun before
 * a record would take it past {@code maxFileSize}, and the oldest files of that listener go once there are more
 * than {@code maxFiles}. Opened at the first record. Only the capture's writer thread calls it.
 */
final class PcapFiles implements PcapOut {

    static final int LINKTYPE_RAW = 101;
    static final int GLOBAL_HEADER = 24;
    static final int RECORD_HEADER = 16;
    private static final DateTimeFormatter STAMP =
            DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss").withZone(ZoneOffset.UTC);

    private final Path dir;
    private final String prefix;
    private final long maxFileSize;
    private final int maxFiles;
    private OutputStream out;
    private Path current;
    private long size;
    private int sequence;

    PcapFiles(Path dir, String prefix, long maxFileSize, int maxFiles) {
        this.dir = dir;
        this.prefix = prefix;
        this.maxFileSize = maxFileSize;
        this.maxFiles = maxFiles;
    }

    /** Appends one record holding {@code packet}, stamped {@code epochNanos}. */
    @Override
    public void write(long epochNanos, byte[] packet) throws IOException {
        long recordSize = RECORD_HEADER + packet.length;
        if (out == null || size > GLOBAL_HEADER && size + recordSize > maxFileSize) {
            next(epochNanos);
        }
        out.write(recordHeader(epochNanos, packet.length));
        out.write(packet);
        size += recordSize;
    }

    private void next(long epochNanos) throws IOException {
        close();
        Files.createDirectories(dir);
        String stamp = STAMP.format(java.time.Instant.ofEpochSecond(epochNanos / 1_000_000_000L));
        Path file;
        do {
            file = dir.resolve(String.format("%s-%s-%04d.pcap", prefix, stamp, ++sequence));
        } while (Files.exists(file));
        out = new BufferedOutputStream(Files.newOutputStream(file), 64 * 1024);
        current = file;
        out.write(globalHeader());
        size = GLOBAL_HEADER;
        List<Path> all = files();
        for (int i = 0; i < all.size() - maxFiles; i++) {
            Files.deleteIfExists(all.get(i));
        }
    }

    /** The pcap global header: version 2.4, microseconds, snap length 256 KiB, {@code LINKTYPE_RAW}. */
    static byte[] globalHeader() {
        ByteBuffer header = ByteBuffer.allocate(GLOBAL_HEADER);
        header.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(262_144)
                .putInt(LINKTYPE_RAW);
        return header.array();
    }

    /** One record's header: the time stamp and, twice, the length of {@code packet}. */
    static byte[] recordHeader(long epochNanos, int length) {
        ByteBuffer header = ByteBuffer.allocate(RECORD_HEADER);
        header.putInt((int) (epochNanos / 1_000_000_000L)).putInt((int) (epochNanos % 1_000_000_000L / 1000))
                .putInt(length).putInt(length);
        return header.array();
    }

    /** This listener's pcap files in {@code dir}, oldest first. */
    List<Path> files() throws IOException {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> listing = Files.list(dir)) {
            return listing.filter(p -> {
                String name = p.getFileName().toString();
                return name.startsWith(prefix + "-") && name.endsWith(".pcap")
                        && name.substring(prefix.length() + 1).matches("[0-9]{8}-[0-9]{6}-[0-9]{4,}\\.pcap");
            }).sorted().toList();
        }
    }

    /** The file being written, or {@code null} before the first record. */
    Path current() {
        return current;
    }

    @Override
    public String where() {
        return "file=" + current;
    }

    @Override
    public void flush() throws IOException {
        if (out != null) {
            out.flush();
        }
    }

    @Override
    public void close() throws IOException {
        if (out != null) {
            out.close();
            out = null;
        }
    }
}
