package dev.forwarder.app.loadtest;

import dev.forwarder.core.Transport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Arrays;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;

/** The echo server with plain blocking sockets: echoes, back-pressure, half-close, discard. */
class EchoServerTest {

    private static final InetSocketAddress ANY_PORT = new InetSocketAddress("127.0.0.1", 0);

    @Test
    void echoesWhatItReads() throws IOException {
        try (EchoServer server = EchoServer.start(ANY_PORT, false, 1, Transport.AUTO);
                Socket socket = connect(server)) {
            socket.getOutputStream().write("hello, echo".getBytes());
            assertThat(socket.getInputStream().readNBytes(11)).isEqualTo("hello, echo".getBytes());
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void halfClosedClientGetsTheWholeEchoThenEof(Transport transport) throws Exception {
        byte[] sent = new byte[8 << 20];
        new Random(42).nextBytes(sent);
        try (EchoServer server = EchoServer.start(ANY_PORT, false, 1, transport);
                Socket socket = connect(server)) {
            // Written from another thread while this one reads: 8 MiB is more than both socket buffers hold, so
            // the server must pause reading while its echo waits, and resume.
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = socket.getOutputStream();
                    out.write(sent);
                    out.flush();
                    socket.shutdownOutput();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            InputStream in = socket.getInputStream();
            byte[] echoed = in.readNBytes(sent.length);
            writer.join();
            assertThat(Arrays.equals(echoed, sent)).as("echo equals what was sent").isTrue();
            assertThat(in.read()).as("EOF after the echo").isEqualTo(-1);
        }
    }

    @Test
    void discardingServerReadsEverythingAndClosesAfterFin() throws IOException {
        try (EchoServer server = EchoServer.start(ANY_PORT, true, 1, Transport.AUTO);
                Socket socket = connect(server)) {
            socket.getOutputStream().write(new byte[1 << 20]);
            socket.shutdownOutput();
            assertThat(socket.getInputStream().read()).as("nothing back, then EOF").isEqualTo(-1);
        }
    }

    @Test
    void reportsTheRealPortAndTransport() {
        try (EchoServer server = EchoServer.start(ANY_PORT, false, 1, Transport.NIO)) {
            assertThat(server.address().getPort()).isPositive();
            assertThat(server.transport()).isEqualTo(Transport.NIO);
        }
    }

    private static Socket connect(EchoServer server) throws IOException {
        Socket socket = new Socket(server.address().getAddress(), server.address().getPort());
        socket.setSoTimeout(30_000);
        return socket;
    }
}
