package dev.forwarder.app.capture;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** Protocol summaries from the first bytes of a stream, fed in pieces as the relay reads them. */
class SnifferTest {

    private static String feedInPieces(boolean upstream, byte[] bytes, int piece) {
        Sniffer sniffer = new Sniffer(upstream);
        for (int at = 0; at < bytes.length; at += piece) {
            int n = Math.min(piece, bytes.length - at);
            byte[] chunk = new byte[n];
            System.arraycopy(bytes, at, chunk, 0, n);
            String summary = sniffer.feed(chunk, n);
            if (summary != null) {
                return summary;
            }
        }
        return sniffer.finish();
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void httpRequestLineAndHostEvenWhenSplit() {
        byte[] request = ascii("POST /api/items?id=3 HTTP/1.1\r\nUser-Agent: x\r\nHost: shop.example:8080\r\n"
                + "Content-Length: 0\r\n\r\n");
        assertThat(feedInPieces(true, request, 5))
                .isEqualTo("http request=\"POST /api/items?id=3 HTTP/1.1\" host=shop.example:8080");
    }

    @Test
    void httpResponseStatus() {
        assertThat(feedInPieces(false, ascii("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"), 3))
                .isEqualTo("http response status=404 line=\"HTTP/1.1 404 Not Found\"");
    }

    @Test
    void redisCommand() {
        assertThat(feedInPieces(true, ascii("*3\r\n$3\r\nset\r\n$1\r\nk\r\n$1\r\nv\r\n"), 4))
                .isEqualTo("redis command=SET args=2");
        assertThat(feedInPieces(false, ascii("+OK\r\n"), 2)).isEqualTo("redis reply=\"+OK\"");
    }

    @Test
    void postgresStartupMessage() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (String s : new String[] {"user", "alice", "database", "orders", ""}) {
            body.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            body.write(0);
        }
        byte[] params = body.toByteArray();
        byte[] message = new byte[8 + params.length];
        int length = message.length;
        message[0] = (byte) (length >>> 24);
        message[1] = (byte) (length >>> 16);
        message[2] = (byte) (length >>> 8);
        message[3] = (byte) length;
        message[5] = 3; // protocol 3.0 = 196608
        System.arraycopy(params, 0, message, 8, params.length);
        assertThat(feedInPieces(true, message, 6))
                .isEqualTo("postgres startup protocol=3.0 user=alice database=orders");
        assertThat(feedInPieces(true, new byte[] {0, 0, 0, 8, 4, (byte) 0xd2, 0x16, 0x2f}, 8))
                .isEqualTo("postgres ssl-request");
    }

    @Test
    void tlsClientHelloSniAndAlpn() throws Exception {
        javax.net.ssl.SSLContext context = javax.net.ssl.SSLContext.getInstance("TLS");
        context.init(null, null, null);
        javax.net.ssl.SSLEngine engine = context.createSSLEngine("api.example.com", 443);
        engine.setUseClientMode(true);
        javax.net.ssl.SSLParameters parameters = engine.getSSLParameters();
        parameters.setServerNames(java.util.List.of(new javax.net.ssl.SNIHostName("api.example.com")));
        parameters.setApplicationProtocols(new String[] {"h2", "http/1.1"});
        engine.setSSLParameters(parameters);
        java.nio.ByteBuffer out = java.nio.ByteBuffer.allocate(engine.getSession().getPacketBufferSize());
        engine.wrap(java.nio.ByteBuffer.allocate(0), out);
        out.flip();
        byte[] hello = new byte[out.remaining()];
        out.get(hello);

        assertThat(feedInPieces(true, hello, 100)).isEqualTo("tls client-hello sni=api.example.com alpn=h2,http/1.1");
    }

    @Test
    void unknownOrMalformedBytesSayNothing() {
        assertThat(feedInPieces(true, new byte[] {1, 2, 3, 4, 5, 6, 7, 8, 9}, 3)).isNull();
        assertThat(feedInPieces(true, ascii("*x\r\n$3\r\n"), 3)).isNull();
        assertThat(feedInPieces(true, new byte[] {0x16, 3, 1, 0, 50, 1, 0, 0, 46, 3, 3}, 11)).isNull();
    }
}
