package dev.forwarder.app.demo;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

class DemoTest {

    private static EventLoopGroup group;
    private static DemoBackend backend;

    @BeforeAll
    static void startBackend() {
        group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        backend = DemoBackend.start("demo-backend-7", group);
    }

    @AfterAll
    static void stopBackend() {
        backend.close();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    /** Sends {@code request}, optionally shuts the output, and reads everything until the backend closes. */
    private static String exchange(String request, boolean shutdownOutput) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), backend.address().getPort())) {
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            if (shutdownOutput) {
                socket.shutdownOutput();
            }
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void backendAnswersAnHttpRequestWithItsNameAndClosesTheConnection() throws IOException {
        String response = exchange("GET / HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n", false);

        String body = "hello from demo-backend-7 (127.0.0.1:" + backend.address().getPort() + ")\n";
        assertThat(response).startsWith("HTTP/1.1 200 OK\r\n")
                .contains("Connection: close\r\n", "Content-Length: " + body.length() + "\r\n")
                .endsWith("\r\n\r\n" + body);
        assertThat(DemoClient.get(backend.address())).isEqualTo(backend.greeting());
    }

    @Test
    void backendAnswersAnyOtherLineWithItsNameLine() throws IOException {
        assertThat(exchange("hi\n", false)).isEqualTo(backend.greeting() + "\n");
    }

    @Test
    void backendAnswersAClientThatShutsItsOutput() throws IOException {
        assertThat(exchange("no newline", true)).isEqualTo(backend.greeting() + "\n");
    }

    @Test
    void backendAnswersASilentClient() throws IOException {
        assertThat(exchange("", false)).isEqualTo(backend.greeting() + "\n");
    }

    @Test
    void demoAlternatesRoundRobinAcrossItsThreeBackends() throws Exception {
        try (Demo demo = Demo.start(0)) {
            List<String> answers = demo.request(6);

            List<String> greetings = demo.backends().stream().map(DemoBackend::greeting).toList();
            assertThat(greetings).hasSize(3).doesNotHaveDuplicates();
            assertThat(answers.subList(0, 3)).containsExactlyInAnyOrderElementsOf(greetings);
            assertThat(answers.subList(3, 6)).isEqualTo(answers.subList(0, 3));
            assertThat(answers.get(0)).isNotEqualTo(answers.get(1));
            assertThat(demo.fellBack()).isFalse();
        }
    }

    @Test
    void demoTakesAFreePortWhenItsPortIsBusy() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
             Demo demo = Demo.start(taken.getLocalPort())) {
            assertThat(demo.fellBack()).isTrue();
            assertThat(demo.address().getPort()).isNotEqualTo(taken.getLocalPort());
            assertThat(demo.request()).startsWith("hello from demo-backend-");
        }
    }
}
