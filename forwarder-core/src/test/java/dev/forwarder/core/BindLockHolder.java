package dev.forwarder.core;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * Another process binding a port, step by step, for {@link BindLockTest}: takes the port's {@link BindLock},
 * says {@code locked}, then on each line of standard input: {@code listen} listens on 127.0.0.1:PORT,
 * {@code release} releases the lock. Exits at the end of its input.
 */
final class BindLockHolder {

    private BindLockHolder() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        BindLock lock = BindLock.acquire(port, Duration.ofSeconds(10));
        System.out.println("locked");
        ServerSocket listening = null;
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.US_ASCII));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            if (line.equals("listen")) {
                listening = new ServerSocket();
                listening.setReuseAddress(true);
                listening.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
                System.out.println("listening");
            } else if (line.equals("release")) {
                lock.release();
                System.out.println("released");
            }
        }
        if (listening != null) {
            listening.close();
        }
    }
}
