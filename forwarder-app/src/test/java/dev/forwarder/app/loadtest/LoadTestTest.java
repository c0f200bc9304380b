package dev.forwarder.app.loadtest;

import dev.forwarder.core.Transport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Load tests of about a second against a real echo server on loopback; no assertion on speed. */
class LoadTestTest {

    private static EchoServer echo;

    @BeforeAll
    static void startEcho() {
        echo = EchoServer.start(new InetSocketAddress("127.0.0.1", 0), false, 1, Transport.AUTO);
    }

    @AfterAll
    static void stopEcho() {
        echo.close();
    }

    private static LoadSettings settings(InetSocketAddress target, Mode mode, int connections, double rate,
            int size) {
        return new LoadSettings(target, mode, connections, Duration.ofMillis(1000), Duration.ZERO, rate, size,
                Duration.ofSeconds(5), 1, Transport.AUTO);
    }

    @ParameterizedTest
    @EnumSource(value = Mode.class, names = {"RR", "CHURN"})
    void requestModesGetAnswersWithoutErrors(Mode mode) throws InterruptedException {
        List<LoadTest.Progress> progress = new ArrayList<>();
        Summary summary = new LoadTest(settings(echo.address(), mode, 4, 0, 100)).run(progress::add);

        assertThat(summary.errors()).isEmpty();
        assertThat(summary.requests()).isPositive();
        assertThat(summary.latency().getTotalCount()).isEqualTo(summary.requests());
        assertThat(summary.bytesReceived()).isGreaterThanOrEqualTo(summary.requests() * 100);
        assertThat(summary.anySuccess()).isTrue();
        assertThat(progress).isNotEmpty();
        assertThat(summary.text()).contains(mode.label() + " to 127.0.0.1:", "errors    0", "p99.9");
    }

    @Test
    void bulkSendsAndCountsTheEcho() throws InterruptedException {
        Summary summary = new LoadTest(settings(echo.address(), Mode.BULK, 2, 0, 16 * 1024)).run(p -> { });

        assertThat(summary.errors()).isEmpty();
        assertThat(summary.bytesSent()).isPositive();
        assertThat(summary.bytesReceived()).isPositive();
        assertThat(summary.latency()).isNull();
        assertThat(summary.json()).contains("\"latency_us\":null");
    }

    @Test
    void openModelSendsAboutTheRequestedRate() throws InterruptedException {
        // 200/s for 1 s over 4 connections. The tolerance is wide on purpose: a loaded 2-core machine may stall for
        // a good part of the second (the bound that matters is the upper one: a closed model would send thousands).
        Summary summary = new LoadTest(settings(echo.address(), Mode.RR, 4, 200, 100)).run(p -> { });

        assertThat(summary.errors()).isEmpty();
        assertThat(summary.requests()).isBetween(40L, 260L);
        assertThat(summary.text()).contains("open model at 200 requests/s", "from intended send time");
    }

    @Test
    void silentServerLeavesRequestsUnansweredAndThenTimesOut() throws InterruptedException, IOException {
        // Accepted by the kernel, never read: a stalled server.
        try (ServerSocket silent = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            InetSocketAddress target = new InetSocketAddress("127.0.0.1", silent.getLocalPort());
            Summary waiting = new LoadTest(settings(target, Mode.RR, 2, 0, 100)).run(p -> { });

            assertThat(waiting.requests()).isZero();
            assertThat(waiting.errors()).isEmpty();
            assertThat(waiting.unanswered()).isEqualTo(2);
            assertThat(waiting.text()).contains("unanswered at the end  2");

            Summary timedOut = new LoadTest(new LoadSettings(target, Mode.RR, 1, Duration.ofMillis(1000),
                    Duration.ZERO, 0, 100, Duration.ofMillis(200), 1, Transport.AUTO)).run(p -> { });
            assertThat(timedOut.errors()).containsOnlyKeys(ErrorKind.TIMEOUT);
        }
    }

    @ParameterizedTest
    @EnumSource(value = Mode.class)
    void closedPortCountsRefusedConnects(Mode mode) throws InterruptedException, IOException {
        InetSocketAddress closed;
        try (ServerSocket probe = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            closed = new InetSocketAddress("127.0.0.1", probe.getLocalPort());
        }
        Summary summary = new LoadTest(settings(closed, mode, 2, 0, 100)).run(p -> { });

        assertThat(summary.errors()).containsOnlyKeys(ErrorKind.CONNECT_REFUSED);
        assertThat(summary.errorCount()).isPositive();
        assertThat(summary.anySuccess()).isFalse();
        assertThat(summary.text()).contains("connect-refused");
    }
}
