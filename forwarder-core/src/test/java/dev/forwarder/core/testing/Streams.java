package dev.forwarder.core.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Random;

/** Sends and drains byte streams of known content, with their SHA-256, for relay tests. */
public final class Streams {

    private static final int BLOCK = 64 * 1024;

    private Streams() {
    }

    /** Writes {@code size} pseudo-random bytes from {@code seed}; returns their SHA-256 in hex. */
    public static String send(OutputStream out, long size, long seed) throws IOException {
        MessageDigest digest = sha256();
        Random random = new Random(seed);
        byte[] block = new byte[BLOCK];
        for (long left = size; left > 0; ) {
            int n = (int) Math.min(BLOCK, left);
            random.nextBytes(block);
            digest.update(block, 0, n);
            out.write(block, 0, n);
            left -= n;
        }
        out.flush();
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The SHA-256 (hex) and length of everything read until EOF. */
    public record Drained(long bytes, String sha256) {
    }

    /** Reads to EOF. */
    public static Drained drain(InputStream in) throws IOException {
        MessageDigest digest = sha256();
        byte[] block = new byte[BLOCK];
        long total = 0;
        for (int n; (n = in.read(block)) >= 0; ) {
            digest.update(block, 0, n);
            total += n;
        }
        return new Drained(total, HexFormat.of().formatHex(digest.digest()));
    }

    /** The SHA-256 of what {@link #send} writes for these arguments, without sending it. */
    public static String expectedSha256(long size, long seed) {
        try {
            return send(OutputStream.nullOutputStream(), size, seed);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
