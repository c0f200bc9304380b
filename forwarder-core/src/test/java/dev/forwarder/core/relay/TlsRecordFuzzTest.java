package dev.forwarder.core.relay;

import dev.forwarder.core.CloseReason;
import dev.forwarder.core.ConnectPolicy;
import dev.forwarder.core.Transport;
import dev.forwarder.core.testing.BlockingServer;
import dev.forwarder.core.testing.FixedChooser;
import dev.forwarder.core.testing.LeakDetectionExtension;
import dev.forwarder.core.testing.RecordingObserver;
import dev.forwarder.core.tls.TlsTermination;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterProperty;

import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A jqwik property, once per engine: hostile TLS records against a terminating listener. The generators make random
 * bytes, a real ClientHello cut short, handshake records claiming up to 64 KiB (beyond TLS's 16 KiB + 2 KiB) with
 * some of it sent, a ClientHello with bits flipped, records of random content type and version, and a good
 * ClientHello followed by garbage, each sent with or without a FIN. Whatever comes, that connection ends with one of
 * the expected reasons (never {@code error}, which an escaped exception would give) or, when the bytes made it
 * through a handshake, at least reaches no backend without one; a good handshake still works afterwards; only the
 * good handshakes reach the backend; and when the property is done nothing has leaked (the paranoid detector).
 */
class TlsRecordFuzzTest {

    private static final Set<CloseReason> EXPECTED = EnumSet.of(CloseReason.TLS_HANDSHAKE_FAILED,
            CloseReason.CLIENT_RESET);
    /** A real ClientHello (TLS 1.3 and 1.2 offered); what a client trusts does not show in it. */
    private static final byte[] HELLO = clientHello();

    private Path dir;
    private TlsFixture tls;
    private BlockingServer backend;
    private RelayFixture relay;
    private final RecordingObserver observer = new RecordingObserver();
    private int hostile;
    private int good;

    @Property(tries = 150)
    void noRecordBreaksTheOpenSslListener(@ForAll("hostileRecords") byte[] records,
            @ForAll("mostlyWithFin") boolean fin) throws Exception {
        tryOn(SslProvider.OPENSSL, records, fin);
    }

    @Property(tries = 150)
    void noRecordBreaksTheJdkListener(@ForAll("hostileRecords") byte[] records,
            @ForAll("mostlyWithFin") boolean fin) throws Exception {
        tryOn(SslProvider.JDK, records, fin);
    }

    private void tryOn(SslProvider provider, byte[] records, boolean fin) throws Exception {
        if (relay == null) {
            start(provider);
        }
        int before = observer.closed.size();
        Hostile.send(relay.connect(), records, fin);
        hostile++;
        assertThat(Hostile.closedSince(observer, before)).filteredOn(c -> c.bytesUp() == 0)
                .allSatisfy(c -> assertThat(c.reason()).isIn(EXPECTED));
        if (hostile % 25 == 0) {
            before = observer.closed.size();
            assertThat(servesAGoodHandshake()).as("a good handshake after %d hostile clients", hostile).isTrue();
            good++;
            Hostile.closedSince(observer, before);
        }
        assertThat(observer.tries).as("only the good handshakes reach the backend").hasSize(good);
    }

    private void start(SslProvider provider) throws IOException {
        LeakDetectionExtension.collectLeaks();
        dir = Files.createTempDirectory("tls-fuzz");
        tls = new TlsFixture(dir, provider);
        backend = BlockingServer.echo();
        relay = new RelayFixture(Transport.AUTO, RelayFixture.settings(), new FixedChooser(backend.address()),
                observer, ConnectPolicy.ofTries(1),
                new TlsTermination("test", tls.server, "test", Map.of(), Map.of(), 1_000));
    }

    @AfterProperty
    void stop() throws Exception {
        if (relay == null) {
            return;
        }
        relay.close();
        backend.close();
        assertThat(backend.accepted()).isEqualTo(good);
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        }
        assertThat(LeakDetectionExtension.collectLeaks()).as("Netty buffer leaks after %d connections",
                observer.closed.size()).isEmpty();
    }

    private boolean servesAGoodHandshake() throws IOException {
        try (SSLSocket client = tls.connect(relay.listener.localAddress())) {
            client.getOutputStream().write("ok".getBytes(StandardCharsets.US_ASCII));
            return new String(client.getInputStream().readNBytes(2), StandardCharsets.US_ASCII).equals("ok");
        }
    }

    @Provide
    Arbitrary<Boolean> mostlyWithFin() {
        return Hostile.mostlyTrue();
    }

    @Provide
    Arbitrary<byte[]> hostileRecords() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(600);
        Arbitrary<byte[]> cutShort = Arbitraries.integers().between(0, HELLO.length - 1)
                .map(length -> Arrays.copyOf(HELLO, length));
        Arbitrary<byte[]> oversized = Combinators.combine(
                Arbitraries.integers().between(16384 + 2048 + 1, 65535), Arbitraries.integers().between(0, 4),
                Arbitraries.bytes().array(byte[].class).ofMaxSize(4096))
                .as((claimed, minor, body) -> {
                    byte[] record = new byte[5 + body.length];
                    record[0] = 22;
                    record[1] = 3;
                    record[2] = (byte) (int) minor;
                    record[3] = (byte) (claimed >>> 8);
                    record[4] = (byte) (int) claimed;
                    System.arraycopy(body, 0, record, 5, body.length);
                    return record;
                });
        Arbitrary<byte[]> flipped = Combinators.combine(Arbitraries.integers().between(0, HELLO.length - 1),
                Arbitraries.integers().between(0, 7)).as((at, bit) -> new int[] {at, bit}).list()
                .ofMinSize(1).ofMaxSize(8)
                .map(flips -> {
                    byte[] hello = HELLO.clone();
                    flips.forEach(flip -> hello[flip[0]] ^= (byte) (1 << flip[1]));
                    return hello;
                });
        Arbitrary<byte[]> anyType = Combinators.combine(Arbitraries.integers().between(20, 24),
                Arbitraries.integers().between(0, 3), Arbitraries.bytes().array(byte[].class).ofMaxSize(300))
                .as((type, major, body) -> {
                    byte[] record = new byte[5 + body.length];
                    record[0] = (byte) (int) type;
                    record[1] = (byte) (int) major;
                    record[2] = body.length > 0 ? body[0] : 0;
                    record[3] = (byte) (body.length >>> 8);
                    record[4] = (byte) body.length;
                    System.arraycopy(body, 0, record, 5, body.length);
                    return record;
                });
        Arbitrary<byte[]> helloThenGarbage = Arbitraries.bytes().array(byte[].class).ofMinSize(1).ofMaxSize(300)
                .map(garbage -> {
                    byte[] both = Arrays.copyOf(HELLO, HELLO.length + garbage.length);
                    System.arraycopy(garbage, 0, both, HELLO.length, garbage.length);
                    return both;
                });
        return Arbitraries.oneOf(random, cutShort, oversized, flipped, anyType, helloThenGarbage);
    }

    private static byte[] clientHello() {
        try {
            return TlsFixture.clientHello(SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                    .trustManager(InsecureTrustManagerFactory.INSTANCE).protocols("TLSv1.3", "TLSv1.2").build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
