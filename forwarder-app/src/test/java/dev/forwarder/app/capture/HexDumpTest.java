package dev.forwarder.app.capture;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The dump is exactly what {@code hexdump -C} prints for the same bytes (util-linux's, on this machine). */
class HexDumpTest {

    @TempDir
    Path dir;

    private String hexdump(byte[] data, String... options) throws IOException, InterruptedException {
        assertThat(Files.isExecutable(Path.of("/usr/bin/hexdump")))
                .as("hexdump is installed (bsdextrautils): bash scripts/test-tools.sh").isTrue();
        Path file = Files.write(dir.resolve("data.bin"), data);
        List<String> command = new ArrayList<>(List.of("/usr/bin/hexdump", "-C"));
        command.addAll(List.of(options));
        command.add(file.toString());
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
        return out;
    }

    @Test
    void anHttpRequestDumpsLikeHexdump() throws Exception {
        byte[] request = "GET /index.html HTTP/1.1\r\nHost: example.com\r\nUser-Agent: test\r\n\r\n"
                .getBytes(StandardCharsets.US_ASCII);
        assertThat(HexDump.format(request)).isEqualTo(hexdump(request));
    }

    @Test
    void everyByteValueAndEveryTailLength() throws Exception {
        for (int length : new int[] {1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 256, 1000}) {
            byte[] data = new byte[length];
            for (int i = 0; i < length; i++) {
                data[i] = (byte) (i * 7 + 3);
            }
            assertThat(HexDump.format(data)).as("length %d", length).isEqualTo(hexdump(data));
        }
    }

    @Test
    void repeatedLinesAreSqueezedWithAStar() throws Exception {
        byte[] data = new byte[200];
        data[0] = 1;
        data[150] = 'x';
        data[199] = 'z';
        assertThat(HexDump.format(data)).contains("*\n").isEqualTo(hexdump(data));
    }

    @Test
    void offsetsAreThePlaceInTheStreamAsHexdumpSkipPrintsThem() throws Exception {
        byte[] stream = new byte[5000];
        new Random(42).nextBytes(stream);
        for (int i = 2000; i < 2600; i++) {
            stream[i] = 0;
        }
        int offset = 1234;
        int length = 3000;
        String ours = HexDump.append(new StringBuilder(), stream, offset, length, offset).toString();
        assertThat(ours).isEqualTo(hexdump(stream, "-s", Integer.toString(offset), "-n", Integer.toString(length)));
    }

    @Test
    void nothingForNoBytes() {
        assertThat(HexDump.format(new byte[0])).isEmpty();
    }
}
