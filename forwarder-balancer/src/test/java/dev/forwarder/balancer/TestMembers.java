package dev.forwarder.balancer;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/** Members and clients for strategy tests: loopback backends on ports 9001 onwards, clients at made-up IPs. */
final class TestMembers {

    private TestMembers() {
    }

    static PoolMember member(int port, int weight) {
        return member("127.0.0.1", port, weight, false);
    }

    static PoolMember member(String host, int port, int weight, boolean backup) {
        BackendSpec spec = new BackendSpec(host, port, weight, backup);
        return new PoolMember(spec, new InetSocketAddress(host, port));
    }

    /** One member per weight, on ports 9001, 9002, ... */
    static List<PoolMember> weighted(int... weights) {
        List<PoolMember> members = new ArrayList<>();
        for (int i = 0; i < weights.length; i++) {
            members.add(member(9001 + i, weights[i]));
        }
        return List.copyOf(members);
    }

    static List<BackendSpec> specs(int count) {
        List<BackendSpec> specs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            specs.add(new BackendSpec("127.0.0.1", 9001 + i, 1, false));
        }
        return specs;
    }

    /** {@code count} IPv4 clients at addresses drawn from {@code seed}, each with its own source port. */
    static InetSocketAddress[] clients(int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        InetSocketAddress[] clients = new InetSocketAddress[count];
        for (int i = 0; i < count; i++) {
            int ip = random.nextInt();
            byte[] bytes = {(byte) (ip >>> 24), (byte) (ip >>> 16), (byte) (ip >>> 8), (byte) ip};
            clients[i] = new InetSocketAddress(address(bytes), 1024 + random.nextInt(60_000));
        }
        return clients;
    }

    static InetAddress address(byte[] bytes) {
        try {
            return InetAddress.getByAddress(bytes);
        } catch (UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    static int[] counts(List<PoolMember> members, List<PoolMember> picks) {
        int[] counts = new int[members.size()];
        for (PoolMember pick : picks) {
            counts[members.indexOf(pick)]++;
        }
        return counts;
    }
}
