package dev.forwarder.app.capture;

/**
 * Hex and ASCII in the layout of {@code hexdump -C}: an 8-digit hex offset, 16 bytes in two groups of 8, the
 * printable ASCII between bars, a {@code *} for lines equal to the one before, and the end offset on the last line.
 * The offsets are the chunk's place in its stream, as {@code hexdump -C -s OFFSET -n LENGTH} of the whole stream
 * prints them. (Netty's {@code ByteBufUtil.prettyHexDump} draws a table with a box and other columns instead.)
 */
public final class HexDump {

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private HexDump() {
    }

    /** Appends the dump of {@code data[from, from + length)}, whose first byte is at {@code offset} in its stream. */
    public static StringBuilder append(StringBuilder out, byte[] data, int from, int length, long offset) {
        if (length <= 0) {
            return out;
        }
        boolean squeezing = false;
        for (int line = 0; line < length; line += 16) {
            int n = Math.min(16, length - line);
            if (line > 0 && n == 16 && sameAsPrevious(data, from + line)) {
                if (!squeezing) {
                    out.append("*\n");
                    squeezing = true;
                }
                continue;
            }
            squeezing = false;
            appendOffset(out, offset + line);
            out.append("  ");
            int start = from + line;
            for (int i = 0; i < 16; i++) {
                if (i < n) {
                    int b = data[start + i] & 0xff;
                    out.append(HEX[b >>> 4]).append(HEX[b & 0xf]).append(' ');
                } else {
                    out.append("   ");
                }
                if (i == 7) {
                    out.append(' ');
                }
            }
            out.append(" |");
            for (int i = 0; i < n; i++) {
                int b = data[start + i] & 0xff;
                out.append(b >= 0x20 && b < 0x7f ? (char) b : '.');
            }
            out.append("|\n");
        }
        appendOffset(out, offset + length);
        return out.append('\n');
    }

    /** The dump of {@code data}, starting at offset 0. */
    public static String format(byte[] data) {
        return append(new StringBuilder(data.length * 4 + 16), data, 0, data.length, 0).toString();
    }

    private static boolean sameAsPrevious(byte[] data, int start) {
        for (int i = 0; i < 16; i++) {
            if (data[start + i] != data[start - 16 + i]) {
                return false;
            }
        }
        return true;
    }

    private static void appendOffset(StringBuilder out, long offset) {
        String hex = Long.toHexString(offset);
        for (int i = hex.length(); i < 8; i++) {
            out.append('0');
        }
        out.append(hex);
    }
}
