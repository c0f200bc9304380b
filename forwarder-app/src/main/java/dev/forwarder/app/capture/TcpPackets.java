package dev.forwarder.app.capture;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;

/**
 * Builds IPv4 or IPv6 packets holding one TCP segment (no options), with correct lengths and checksums, for
 * {@code LINKTYPE_RAW} pcap records. The packets are made up from what the relay saw: real addresses and ports,
 * sequence numbers that follow the stream offsets, a fixed window; no MSS, window scaling, SACK or timestamps.
 */
final class TcpPackets {

    static final int FIN = 0x01;
    static final int SYN = 0x02;
    static final int RST = 0x04;
    static final int PSH = 0x08;
    static final int ACK = 0x10;
    /** The largest payload an IPv4 packet carries with a 20-byte TCP header (what Netty's PcapWriteHandler slices at). */
    static final int MAX_PAYLOAD = 65_495;

    private int ipId;

    /** The packet {@code src} sends to {@code dst}: {@code data[from, from + length)} at {@code seq}. */
    byte[] segment(InetSocketAddress src, InetSocketAddress dst, long seq, long ack, int flags, byte[] data, int from,
            int length) {
        byte[] s = src.getAddress().getAddress();
        byte[] d = dst.getAddress().getAddress();
        boolean v6 = src.getAddress() instanceof Inet6Address || dst.getAddress() instanceof Inet6Address;
        if (v6) {
            s = v6(s);
            d = v6(d);
        }
        int tcpLength = 20 + length;
        int ipHeader = v6 ? 40 : 20;
        ByteBuffer p = ByteBuffer.allocate(ipHeader + tcpLength);
        if (v6) {
            p.putInt(0x6000_0000).putShort((short) tcpLength).put((byte) 6).put((byte) 64).put(s).put(d);
        } else {
            p.put((byte) 0x45).put((byte) 0).putShort((short) (20 + tcpLength)).putShort((short) ipId++)
                    .putShort((short) 0x4000).put((byte) 64).put((byte) 6).putShort((short) 0).put(s).put(d);
            p.putShort(10, (short) checksum(p.array(), 0, 20, 0));
        }
        int tcp = p.position();
        p.putShort((short) src.getPort()).putShort((short) dst.getPort()).putInt((int) seq).putInt((int) ack)
                .put((byte) 0x50).put((byte) flags).putShort((short) 0xffff).putShort((short) 0).putShort((short) 0);
        p.put(data, from, length);
        long pseudo = sum(s) + sum(d) + 6 + tcpLength;
        p.putShort(tcp + 16, (short) checksum(p.array(), tcp, tcpLength, pseudo));
        return p.array();
    }

    /** An IPv4 address as IPv4-mapped IPv6, for a leg whose other end is IPv6 (cannot happen on one socket). */
    private static byte[] v6(byte[] address) {
        if (address.length == 16) {
            return address;
        }
        byte[] mapped = new byte[16];
        mapped[10] = (byte) 0xff;
        mapped[11] = (byte) 0xff;
        System.arraycopy(address, 0, mapped, 12, 4);
        return mapped;
    }

    private static long sum(byte[] address) {
        long total = 0;
        for (int i = 0; i < address.length; i += 2) {
            total += (address[i] & 0xff) << 8 | address[i + 1] & 0xff;
        }
        return total;
    }

    private static int checksum(byte[] b, int from, int length, long initial) {
        long total = initial;
        int i = from;
        for (; i + 1 < from + length; i += 2) {
            total += (b[i] & 0xff) << 8 | b[i + 1] & 0xff;
        }
        if (i < from + length) {
            total += (b[i] & 0xff) << 8;
        }
        while ((total >>> 16) != 0) {
            total = (total & 0xffff) + (total >>> 16);
        }
        return (int) (~total & 0xffff);
    }

    static boolean isV4(InetSocketAddress address) {
        return address.getAddress() instanceof Inet4Address;
    }
}
