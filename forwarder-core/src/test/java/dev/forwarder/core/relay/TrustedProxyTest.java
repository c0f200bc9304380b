package dev.forwarder.core.relay;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.forwarder.core.ListenerSettings;
import dev.forwarder.core.Transport;
import dev.forwarder.core.access.AccessSettings;
import dev.forwarder.core.access.Cidr;
import dev.forwarder.core.proxy.OpenProxyWarning;
import dev.forwarder.core.proxy.ProxyProtocol;
import dev.forwarder.core.testing.BlockingServer;
import dev.forwarder.core.testing.RecordingObserver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code accept-proxy-from}: only peers in the list may send a PROXY header; any other peer is refused at accept,
 * whatever address its header claims. Real sockets from several loopback source addresses.
 */
class TrustedProxyTest {

    private final Logger connectionLog = (Logger) LoggerFactory.getLogger("dev.forwarder.connection");
    private final Logger warnings = (Logger) LoggerFactory.getLogger(OpenProxyWarning.class);
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();
    private Level connectionLevel;
    private Level warningLevel;

    @BeforeEach
    void listen() {
        connectionLevel = connectionLog.getLevel();
        warningLevel = warnings.getLevel();
        connectionLog.setLevel(Level.INFO);
        warnings.setLevel(Level.WARN);
        // Into the list only, not the console.
        connectionLog.setAdditive(false);
        warnings.setAdditive(false);
        lines.start();
        connectionLog.addAppender(lines);
        warnings.addAppender(lines);
    }

    @AfterEach
    void stopListening() {
        connectionLog.detachAppender(lines);
        warnings.detachAppender(lines);
        connectionLog.setAdditive(true);
        warnings.setAdditive(true);
        connectionLog.setLevel(connectionLevel);
        warnings.setLevel(warningLevel);
    }

    private static Socket from(String source, RelayFixture relay) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(InetAddress.getByName(source), 0));
        socket.connect(relay.listener.localAddress(), 5_000);
        socket.setSoTimeout(10_000);
        return socket;
    }

    private static ListenerSettings trusting(String... networks) {
        List<Cidr> trusted = java.util.Arrays.stream(networks).map(Cidr::parse).toList();
        return RelayFixture.settings().withAcceptProxy(ProxyProtocol.ANY, Duration.ofSeconds(2))
                .withAccess(AccessSettings.NONE.withAcceptProxyFrom(trusted));
    }

    /** Sends a valid header and one byte from {@code source}: whether the byte came back through the relay. */
    private static boolean relaysFrom(String source, RelayFixture relay) {
        try (Socket socket = from(source, relay)) {
            socket.getOutputStream().write(ProxyProtocolTest.concat(ProxyProtocolTest.V1, "x"));
            return socket.getInputStream().read() == 'x';
        } catch (IOException reset) {
            return false;
        }
    }

    @ParameterizedTest
    @EnumSource(value = Transport.class, names = {"EPOLL", "NIO"})
    void aPeerOutsideTheListIsRefusedAtAcceptWhateverItsHeaderClaims(Transport transport) throws Exception {
        RecordingObserver observer = new RecordingObserver();
        try (BlockingServer backend = BlockingServer.echo();
             RelayFixture relay = new RelayFixture(transport, trusting("127.0.0.2", "127.0.0.8/29"),
                     new ProxyProtocolTest.Recording(backend.address(), null), observer, 1)) {
            assertThat(relaysFrom("127.0.0.3", relay)).isFalse();
            assertThat(relaysFrom("127.0.0.1", relay)).isFalse();
            assertThat(relaysFrom("127.0.0.2", relay)).isTrue();
            assertThat(relaysFrom("127.0.0.9", relay)).isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> observer.rejected.size() == 2);
            assertThat(observer.rejected).containsExactlyInAnyOrder("127.0.0.3 untrusted-proxy",
                    "127.0.0.1 untrusted-proxy");
            // Refused before anything: no connection, no backend, no close line; the two trusted ones were relayed.
            assertThat(observer.accepted.get()).isEqualTo(2);
            await().atMost(Duration.ofSeconds(5)).until(() -> backend.accepted() == 2);
            assertThat(lines.list).extracting(ILoggingEvent::getFormattedMessage)
                    .anyMatch(line -> line.startsWith("rejected listener=") && line.contains("client=127.0.0.3:")
                            && line.contains("reason=untrusted-proxy"));
        }
    }

    @Test
    void aTrustedPeersHeaderNamesTheClient() throws Exception {
        RecordingObserver observer = new RecordingObserver();
        try (BlockingServer backend = BlockingServer.echo()) {
            ProxyProtocolTest.Recording chooser = new ProxyProtocolTest.Recording(backend.address(), null);
            try (RelayFixture relay = new RelayFixture(Transport.AUTO, trusting("127.0.0.0/8"), chooser, observer, 1)) {
                assertThat(relaysFrom("127.0.0.4", relay)).isTrue();
                assertThat(chooser.choseFor).containsExactly(ProxyProtocolTest.CARRIED);
                assertThat(observer.rejected).isEmpty();
            }
        }
    }

    @Test
    void refusalsAreLoggedAtMostOnceASecondPerPeer() throws Exception {
        RecordingObserver observer = new RecordingObserver();
        try (BlockingServer backend = BlockingServer.echo();
             RelayFixture relay = new RelayFixture(Transport.AUTO, trusting("127.0.0.2"),
                     new ProxyProtocolTest.Recording(backend.address(), null), observer, 1)) {
            for (int i = 0; i < 20; i++) {
                assertThat(relaysFrom("127.0.0.6", relay)).isFalse();
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> observer.rejected.size() == 20);
            long logged = lines.list.stream().map(ILoggingEvent::getFormattedMessage)
                    .filter(line -> line.contains("client=127.0.0.6:")).count();
            // 20 refusals in well under a few seconds: one line per second they spanned, at most.
            assertThat(logged).isBetween(1L, 3L);
            assertThat(backend.accepted()).isZero();
        }
    }

    @Test
    void aListenerThatTrustsEveryPeerIsWarnedAboutOnce() throws Exception {
        ListenerSettings open = RelayFixture.settings().withAcceptProxy(ProxyProtocol.V2, Duration.ofSeconds(2));
        try (BlockingServer backend = BlockingServer.echo();
             RelayFixture relay = new RelayFixture(Transport.AUTO, open,
                     new ProxyProtocolTest.Recording(backend.address(), null), new RecordingObserver(), 1)) {
            assertThat(warnings(lines)).hasSize(1).first().asString()
                    .contains("accept-proxy trusts every peer").contains("accept_proxy=v2")
                    .contains("fix=\"set accept-proxy-from");
            // Reconfigured to the same: no second warning; to a trust list: none.
            OpenProxyWarning.check(open, open);
            OpenProxyWarning.check(open, trusting("10.0.0.0/8"));
            assertThat(warnings(lines)).hasSize(1);
            // From a trust list back to none: warned again.
            OpenProxyWarning.check(trusting("10.0.0.0/8"), open);
            assertThat(warnings(lines)).hasSize(2);
        }
        lines.list.clear();
        OpenProxyWarning.check(null, RelayFixture.settings());
        OpenProxyWarning.check(null, trusting("10.0.0.0/8"));
        assertThat(warnings(lines)).isEmpty();
    }

    private static List<String> warnings(ListAppender<ILoggingEvent> lines) {
        return lines.list.stream().filter(e -> e.getLoggerName().equals(OpenProxyWarning.class.getName()))
                .map(ILoggingEvent::getFormattedMessage).toList();
    }
}
