package dev.forwarder.core.relay;

import dev.forwarder.core.CloseReason;
import dev.forwarder.core.Transport;
import dev.forwarder.core.proxy.ProxyProtocol;
import dev.forwarder.core.testing.BlockingServer;
import dev.forwarder.core.testing.LeakDetectionExtension;
import dev.forwarder.core.testing.RecordingObserver;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterProperty;
import net.jqwik.api.lifecycle.BeforeProperty;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A jqwik property: hostile PROXY headers against one listener with {@code accept-proxy = any}. The generators
 * make random bytes, valid v1 and v2 headers cut short, v2 headers claiming more than the 2 KiB of TLVs allowed (up
 * to 64 KiB), v2 headers with random version/command/family/length bytes and v1 lines with random fields, each sent
 * with or without a FIN. Whatever comes, that connection ends with one of the expected reasons (never {@code error},
 * which an escaped exception would give), the listener still relays a good header afterwards, and when the
 * property is done nothing has leaked (the paranoid detector). jqwik prints the seed of a failing run and shrinks it
 * to a small header; {@code target/jqwik-database} replays it first on the next run.
 */
class ProxyHeaderFuzzTest {

    static final Set<CloseReason> EXPECTED = EnumSet.of(CloseReason.PROXY_HEADER_INVALID,
            CloseReason.PROXY_HEADER_TIMEOUT, CloseReason.CLIENT_CLOSED, CloseReason.BACKEND_CLOSED,
            CloseReason.CLIENT_RESET);
    private static final String V1_CHARS = "0123456789abcdef.:%- ";

    private BlockingServer backend;
    private RelayFixture relay;
    private final RecordingObserver observer = new RecordingObserver();
    private int connections;

    @BeforeProperty
    void start() throws IOException {
        LeakDetectionExtension.collectLeaks();
        backend = BlockingServer.echo();
        relay = new RelayFixture(Transport.AUTO, RelayFixture.settings()
                .withAcceptProxy(ProxyProtocol.ANY, Duration.ofMillis(100)),
                new ProxyProtocolTest.Recording(backend.address(), null), observer, 1);
    }

    @AfterProperty
    void stop() throws Exception {
        relay.close();
        backend.close();
        assertThat(LeakDetectionExtension.collectLeaks()).as("Netty buffer leaks after %d connections", connections)
                .isEmpty();
    }

    @Property(tries = 300)
    void noHeaderBreaksTheListener(@ForAll("hostileHeaders") byte[] header, @ForAll("mostlyWithFin") boolean fin)
            throws IOException {
        int before = observer.closed.size();
        Hostile.send(relay.connect(), header, fin);
        connections++;
        assertThat(Hostile.closedSince(observer, before)).allSatisfy(c -> assertThat(c.reason()).isIn(EXPECTED));
        if (connections % 25 == 0) {
            before = observer.closed.size();
            assertThat(servesAGoodHeader()).as("a good header after %d hostile ones", connections).isTrue();
            Hostile.closedSince(observer, before);
        }
    }

    private boolean servesAGoodHeader() throws IOException {
        try (var socket = relay.connect()) {
            socket.getOutputStream().write(ProxyProtocolTest.concat(ProxyProtocolTest.V2, "ok"));
            socket.shutdownOutput();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).equals("ok");
        }
    }

    @Provide
    Arbitrary<Boolean> mostlyWithFin() {
        return Hostile.mostlyTrue();
    }

    @Provide
    Arbitrary<byte[]> hostileHeaders() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(300);
        Arbitrary<byte[]> cutShort = Arbitraries.of(ProxyProtocolTest.V1, ProxyProtocolTest.V2)
                .flatMap(header -> Arbitraries.integers().between(0, header.length - 1)
                        .map(length -> Arrays.copyOf(header, length)));
        Arbitrary<byte[]> oversized = Combinators.combine(
                Arbitraries.integers().between(216 + 2049, 65535), Arbitraries.integers().between(16, 527))
                .as((claimed, sent) -> {
                    byte[] v2 = Arrays.copyOf(ProxyProtocolTest.V2, sent);
                    v2[14] = (byte) (claimed >>> 8);
                    v2[15] = (byte) (int) claimed;
                    return v2;
                });
        Arbitrary<byte[]> randomFields = Arbitraries.bytes().array(byte[].class).ofSize(4).map(fields -> {
            byte[] v2 = ProxyProtocolTest.V2.clone();
            System.arraycopy(fields, 0, v2, 12, 4);
            return v2;
        });
        Arbitrary<byte[]> v1Lines = Combinators.combine(
                Arbitraries.of("TCP4", "TCP6", "UNKNOWN", "UDP4", "tcp4", ""),
                Arbitraries.strings().withChars(V1_CHARS).ofMaxLength(45),
                Arbitraries.strings().withChars("0123456789.:").ofMaxLength(45),
                Arbitraries.strings().numeric().ofMaxLength(7),
                Arbitraries.strings().withChars("0123456789-").ofMaxLength(7))
                .as((protocol, source, destination, sourcePort, destinationPort) -> ("PROXY " + protocol + " "
                        + source + " " + destination + " " + sourcePort + " " + destinationPort + "\r\npayload")
                        .getBytes(StandardCharsets.US_ASCII));
        return Arbitraries.oneOf(random, cutShort, oversized, randomFields, v1Lines);
    }
}
