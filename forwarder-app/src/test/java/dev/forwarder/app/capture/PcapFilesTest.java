package dev.forwarder.app.capture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Rotation by size and count: no file grows past max-file-size, at most max-files stay, each one readable alone. */
class PcapFilesTest {

    @TempDir
    Path dir;

    @Test
    void rotatesBySizeAndKeepsTheNewestFiles() throws Exception {
        Files.writeString(dir.resolve("other-20260101-000000-0001.pcap"), "not ours");
        Files.writeString(dir.resolve("web-notes.txt"), "not a capture");
        PcapFiles files = new PcapFiles(dir, "web", 64 * 1024, 3);
        TcpPackets packets = new TcpPackets();
        InetSocketAddress a = new InetSocketAddress(InetAddress.getLoopbackAddress(), 40000);
        InetSocketAddress b = new InetSocketAddress(InetAddress.getLoopbackAddress(), 8080);
        byte[] payload = new byte[1000];
        long now = System.currentTimeMillis() * 1_000_000L;
        List<Path> seen = new ArrayList<>();
        for (int i = 0; i < 400; i++) {
            files.write(now + i * 1000L, packets.segment(a, b, 1 + i * 1000L, 1, TcpPackets.ACK | TcpPackets.PSH,
                    payload, 0, payload.length));
            if (!seen.contains(files.current())) {
                seen.add(files.current());
            }
        }
        files.close();

        assertThat(seen).as("400 records of 1056 bytes in 64 KiB files").hasSize(7);
        List<Path> kept = files.files();
        assertThat(kept).containsExactlyElementsOf(seen.subList(4, 7));
        for (Path file : kept) {
            assertThat(Files.size(file)).isLessThanOrEqualTo(64 * 1024);
            assertThat(PcapReader.read(file)).isNotEmpty();
            assertThat(Files.isExecutable(Path.of("/usr/bin/tshark"))).as("tshark: bash scripts/test-tools.sh").isTrue();
            Process tshark = new ProcessBuilder("/usr/bin/tshark", "-r", file.toString())
                    .redirectError(ProcessBuilder.Redirect.DISCARD).start();
            String out = new String(tshark.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(tshark.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(tshark.exitValue()).as(out).isZero();
            assertThat(out.lines().count()).isEqualTo(PcapReader.read(file).size());
        }
        assertThat(dir.resolve("other-20260101-000000-0001.pcap")).exists();
        assertThat(dir.resolve("web-notes.txt")).exists();
    }

    @Test
    void nothingIsCreatedBeforeTheFirstRecord() throws IOException {
        PcapFiles files = new PcapFiles(dir.resolve("sub"), "web", 64 * 1024, 3);
        files.flush();
        files.close();
        assertThat(dir.resolve("sub")).doesNotExist();
        assertThat(files.files()).isEmpty();
    }
}
