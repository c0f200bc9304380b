package dev.forwarder.core.relay;

import dev.forwarder.core.testing.TestCertificates;
import dev.forwarder.core.tls.TlsContexts;
import dev.forwarder.core.tls.TlsPool;
import dev.forwarder.core.tls.TlsTermination;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/** Certificates, a terminating listener's handlers and a JDK TLS client for the relay's TLS tests. */
final class TlsFixture {

    final TestCertificates certs;
    final SslContext server;
    final SslContext client;

    TlsFixture(Path dir) throws IOException {
        this(dir, SslProvider.OPENSSL);
    }

    TlsFixture(Path dir, SslProvider provider) throws IOException {
        certs = TestCertificates.create(dir, "relay");
        server = TlsContexts.server(Files.readAllBytes(certs.chain()), Files.readAllBytes(certs.key()),
                List.of("h2", "http/1.1"), provider);
        client = SslContextBuilder.forClient().sslProvider(SslProvider.JDK).trustManager(certs.ca().toFile())
                .protocols("TLSv1.3", "TLSv1.2").build();
    }

    TlsTermination termination() {
        return termination(Map.of(), Map.of());
    }

    /** Terminates with the listener's own pool named {@code own}, and these pools by server name and by ALPN. */
    TlsTermination termination(Map<String, TlsPool> byServerName, Map<String, TlsPool> byAlpn) {
        return new TlsTermination("test", server, "own", byServerName, byAlpn, 5_000);
    }

    /** A handshaken client socket to {@code address}, for server name localhost. */
    SSLSocket connect(InetSocketAddress address) throws IOException {
        return connect(client, address, null);
    }

    /**
     * A handshaken client socket to {@code address} that sends {@code serverName} (or, for {@code null}, none: the
     * JDK sends none for localhost) and offers {@code alpn}. A client context of its own: the JDK resumes a session
     * it cached for localhost:port with that session's server name, whatever this one asks for.
     */
    SSLSocket connect(InetSocketAddress address, String serverName, String... alpn) throws IOException {
        SslContext fresh = SslContextBuilder.forClient().sslProvider(SslProvider.JDK).trustManager(certs.ca().toFile())
                .protocols("TLSv1.3", "TLSv1.2").build();
        return connect(fresh, address, serverName, alpn);
    }

    private static SSLSocket connect(SslContext client, InetSocketAddress address, String serverName,
            String... alpn) throws IOException {
        SSLSocket socket = (SSLSocket) ((JdkSslContext) client).context().getSocketFactory()
                .createSocket("localhost", address.getPort());
        socket.setSoTimeout(10_000);
        SSLParameters parameters = socket.getSSLParameters();
        if (serverName != null) {
            parameters.setServerNames(List.of(new SNIHostName(serverName)));
        }
        if (alpn.length > 0) {
            parameters.setApplicationProtocols(alpn);
        }
        socket.setSSLParameters(parameters);
        socket.startHandshake();
        return socket;
    }

    /** The bytes of a real ClientHello (one TLS record or more), as a JDK client would send first. */
    byte[] clientHello() throws IOException {
        return clientHello(client);
    }

    /** The first flight a client of {@code client} sends to localhost: its ClientHello record. */
    static byte[] clientHello(SslContext client) throws IOException {
        SSLEngine engine = client.newEngine(ByteBufAllocator.DEFAULT, "localhost", 443);
        try {
            ByteBuffer out = ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
            engine.beginHandshake();
            engine.wrap(ByteBuffer.allocate(0), out);
            return Arrays.copyOf(out.array(), out.position());
        } finally {
            engine.closeOutbound();
        }
    }
}
