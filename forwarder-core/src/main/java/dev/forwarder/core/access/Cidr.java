package dev.forwarder.core.access;

import io.netty.util.NetUtil;

import java.net.InetAddress;
import java.util.Arrays;

/**
 * An IPv4 or IPv6 network, {@code 10.0.0.0/8} or {@code 2001:db8::/32}; a bare address is a network of one. An
 * IPv4 client seen as an IPv4-mapped IPv6 address ({@code ::ffff:10.1.2.3}, a dual-stack socket) matches the IPv4
 * networks. Immutable; equal when network and prefix are.
 */
public final class Cidr {

    private final byte[] network;
    private final int prefix;
    private final String text;

    private Cidr(byte[] network, int prefix) {
        this.network = network;
        this.prefix = prefix;
        this.text = NetUtil.bytesToIpAddress(network) + "/" + prefix;
    }

    /**
     * Parses {@code address/prefix} or a bare address, literals only (no name is looked up).
     *
     * @throws IllegalArgumentException naming what is wrong, e.g. host bits set below the prefix
     */
    public static Cidr parse(String text) {
        int slash = text.indexOf('/');
        String host = slash < 0 ? text : text.substring(0, slash);
        byte[] bytes = NetUtil.createByteArrayFromIpAddressString(host);
        if (bytes == null) {
            throw new IllegalArgumentException("\"" + text + "\" is not an IP address or network (expected: e.g. "
                    + "\"10.0.0.0/8\", \"192.0.2.7\", \"2001:db8::/32\")");
        }
        int bits = bytes.length * 8;
        int prefix = bits;
        if (slash >= 0) {
            String length = text.substring(slash + 1);
            if (!length.matches("[0-9]{1,3}") || Integer.parseInt(length) > bits) {
                throw new IllegalArgumentException("\"" + text + "\" has prefix length \"" + length
                        + "\" (expected: 0-" + bits + ")");
            }
            prefix = Integer.parseInt(length);
        }
        byte[] masked = mask(bytes, prefix);
        if (!Arrays.equals(masked, bytes)) {
            throw new IllegalArgumentException("\"" + text + "\" has host bits set below /" + prefix
                    + " (expected: " + NetUtil.bytesToIpAddress(masked) + "/" + prefix + ")");
        }
        return new Cidr(bytes, prefix);
    }

    private static byte[] mask(byte[] address, int prefix) {
        byte[] out = address.clone();
        for (int i = 0; i < out.length; i++) {
            int keep = Math.max(0, Math.min(8, prefix - i * 8));
            out[i] &= (byte) (0xff << (8 - keep));
        }
        return out;
    }

    /** Whether {@code address} lies in this network. */
    public boolean contains(InetAddress address) {
        return contains(address.getAddress());
    }

    boolean contains(byte[] address) {
        byte[] candidate = address;
        if (candidate.length == 16 && network.length == 4 && isMappedV4(candidate)) {
            candidate = Arrays.copyOfRange(candidate, 12, 16);
        }
        if (candidate.length != network.length) {
            return false;
        }
        int whole = prefix / 8;
        for (int i = 0; i < whole; i++) {
            if (candidate[i] != network[i]) {
                return false;
            }
        }
        int rest = prefix % 8;
        return rest == 0 || ((candidate[whole] ^ network[whole]) & (0xff << (8 - rest)) & 0xff) == 0;
    }

    private static boolean isMappedV4(byte[] address) {
        for (int i = 0; i < 10; i++) {
            if (address[i] != 0) {
                return false;
            }
        }
        return address[10] == (byte) 0xff && address[11] == (byte) 0xff;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Cidr cidr && prefix == cidr.prefix && Arrays.equals(network, cidr.network);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(network) * 31 + prefix;
    }

    /** The canonical form, {@code 10.0.0.0/8}, {@code 2001:db8:0:0:0:0:0:0/32} as Netty writes it. */
    @Override
    public String toString() {
        return text;
    }
}
