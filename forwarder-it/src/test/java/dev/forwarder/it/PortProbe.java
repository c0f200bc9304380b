package dev.forwarder.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/** Loopback ports for tests that must name a port up front. */
final class PortProbe {

    private PortProbe() {
    }

    /**
     * A loopback port nothing listens on right now: the kernel's pick for a socket that is closed again at once.
     * Another process may take it before the caller binds it; tests accept that small race.
     */
    static int unusedLoopbackPort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }
}
