package dev.forwarder.core.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/**
 * A listening socket on 127.0.0.1 whose accept queue is full and never drained: Linux drops the SYNs of new
 * connects, which then neither succeed nor fail until their timeout. The way to test connect timeouts without
 * leaving the machine.
 */
public final class FullAcceptQueue implements AutoCloseable {

    private final ServerSocket server;
    private final List<Socket> fillers = new ArrayList<>();

    public FullAcceptQueue() {
        try {
            server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
            // Backlog 1 holds two completed handshakes on Linux; a few more make sure the queue is full.
            for (int i = 0; i < 3; i++) {
                Socket socket = new Socket();
                try {
                    socket.connect(server.getLocalSocketAddress(), 300);
                    fillers.add(socket);
                } catch (IOException full) {
                    socket.close();
                    break;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public InetSocketAddress address() {
        return (InetSocketAddress) server.getLocalSocketAddress();
    }

    @Override
    public void close() throws IOException {
        for (Socket filler : fillers) {
            filler.close();
        }
        server.close();
    }
}
