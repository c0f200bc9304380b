package dev.forwarder.app.capture;

import com.sun.net.httpserver.HttpServer;
import dev.forwarder.app.Forwarder;
import dev.forwarder.app.config.ConfigLoader;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The pcap files as Wireshark reads them: Debian's {@code tshark} (installed by scripts/test-tools.sh) decodes the
 * HTTP requests and answers on both legs of each connection with their real addresses and ports, and "Follow TCP
 * stream" gives back exactly the bytes that were sent and received.
 */
class PcapTsharkTest {

    private static final Path TSHARK = Path.of("/usr/bin/tshark");

    @TempDir
    Path dir;

    private HttpServer backend;

    @BeforeEach
    void start() {
        assertThat(Files.isExecutable(TSHARK)).as("%s is installed: bash scripts/test-tools.sh", TSHARK).isTrue();
        backend = TestServers.http();
    }

    @AfterEach
    void stop() {
        if (backend != null) {
            backend.stop(0);
        }
    }

    private record Exchange(int clientPort, String request, String response) {
    }

    private static Exchange get(int port, String path) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(10_000);
            String request = "GET " + path + " HTTP/1.1\r\nHost: test.local\r\nConnection: close\r\n\r\n";
            socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
            String response = new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            return new Exchange(socket.getLocalPort(), request, response);
        }
    }

    private static String tshark(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(TSHARK.toString()));
        command.addAll(List.of(args));
        Process process = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("tshark %s%n%s", command, out).isZero();
        return out;
    }

    /** The two sides of {@code tshark -q -z follow,tcp,raw,N}: node 0's bytes and node 1's (tab-indented). */
    private static String[] follow(Path file, int stream) throws Exception {
        String out = tshark("-r", file.toString(), "-q", "-z", "follow,tcp,raw," + stream);
        ByteArrayOutputStream node0 = new ByteArrayOutputStream();
        ByteArrayOutputStream node1 = new ByteArrayOutputStream();
        String[] nodes = new String[2];
        for (String line : out.split("\n")) {
            if (line.startsWith("Node 0: ")) {
                nodes[0] = line.substring(8);
            } else if (line.startsWith("Node 1: ")) {
                nodes[1] = line.substring(8);
            } else if (line.matches("\t[0-9a-f]+")) {
                node1.writeBytes(HexFormat.of().parseHex(line.trim()));
            } else if (line.matches("[0-9a-f]+")) {
                node0.writeBytes(HexFormat.of().parseHex(line));
            }
        }
        return new String[] {nodes[0], nodes[1], node0.toString(StandardCharsets.US_ASCII),
                node1.toString(StandardCharsets.US_ASCII)};
    }

    @Test
    void tsharkDecodesHttpOnBothLegsWithRealAddressesAndFollowStreamGivesTheBytesBack() throws Exception {
        int backendPort = backend.getAddress().getPort();
        Path file;
        int listenerPort;
        List<Exchange> exchanges = new ArrayList<>();
        try (Forwarder forwarder = Forwarder.start(ConfigLoader.parse("""
                forwarder {
                  io-threads = 1
                  listeners { web { bind = "127.0.0.1:0", pool = web, capture { mode = pcap, dir = "%s" } } }
                  pools { web { backends = [ "127.0.0.1:%d" ] } }
                }
                """.formatted(dir, backendPort), "test"))) {
            listenerPort = forwarder.listenerAddress("web").getPort();
            exchanges.add(get(listenerPort, "/first"));
            exchanges.add(get(listenerPort, "/second"));
            org.awaitility.Awaitility.await().until(() -> forwarder.listener("web").activeConnections() == 0);
            forwarder.captures().stop("web");
            List<Path> files = forwarder.captures().files();
            assertThat(files).hasSize(1);
            file = files.get(0);
        }
        for (Exchange exchange : exchanges) {
            assertThat(exchange.response()).startsWith("HTTP/1.1 200 OK").contains("hello /");
        }

        String http = tshark("-r", file.toString(), "-d", "tcp.port==" + listenerPort + ",http", "-d",
                "tcp.port==" + backendPort + ",http", "-Y", "http", "-T", "fields", "-E", "separator=,",
                "-e", "ip.src", "-e", "tcp.srcport", "-e", "ip.dst", "-e", "tcp.dstport",
                "-e", "http.request.method", "-e", "http.request.uri", "-e", "http.response.code");
        List<String> lines = http.lines().toList();
        assertThat(lines).hasSize(8);
        for (Exchange exchange : exchanges) {
            String client = "127.0.0.1," + exchange.clientPort() + ",127.0.0.1," + listenerPort;
            String answer = "127.0.0.1," + listenerPort + ",127.0.0.1," + exchange.clientPort();
            String path = exchange.request().split(" ")[1];
            assertThat(lines).contains(client + ",GET," + path + ",", answer + ",,,200");
        }
        long backendRequests = lines.stream()
                .filter(l -> l.matches("127\\.0\\.0\\.1,[0-9]+,127\\.0\\.0\\.1," + backendPort + ",GET,/(first|second),"))
                .count();
        long backendAnswers = lines.stream()
                .filter(l -> l.matches("127\\.0\\.0\\.1," + backendPort + ",127\\.0\\.0\\.1,[0-9]+,,,200")).count();
        assertThat(backendRequests).isEqualTo(2);
        assertThat(backendAnswers).isEqualTo(2);

        // Streams in the order their handshakes appear: each connection's client leg, then its backend leg.
        for (int i = 0; i < exchanges.size(); i++) {
            Exchange exchange = exchanges.get(i);
            String[] clientLeg = follow(file, 2 * i);
            assertThat(clientLeg[0]).isEqualTo("127.0.0.1:" + exchange.clientPort());
            assertThat(clientLeg[1]).isEqualTo("127.0.0.1:" + listenerPort);
            assertThat(clientLeg[2]).isEqualTo(exchange.request());
            assertThat(clientLeg[3]).isEqualTo(exchange.response());
            String[] backendLeg = follow(file, 2 * i + 1);
            assertThat(backendLeg[1]).isEqualTo("127.0.0.1:" + backendPort);
            assertThat(backendLeg[2]).isEqualTo(exchange.request());
            assertThat(backendLeg[3]).isEqualTo(exchange.response());
        }

        // Consistent sequence numbers: Wireshark's analysis finds no lost, retransmitted or out-of-order segment.
        String problems = tshark("-r", file.toString(), "-o", "tcp.check_checksum:TRUE", "-o",
                "ip.check_checksum:TRUE", "-Y",
                "tcp.analysis.lost_segment || tcp.analysis.retransmission || tcp.analysis.out_of_order"
                        + " || tcp.analysis.ack_lost_segment || tcp.analysis.duplicate_ack || tcp.checksum.status == 0 || ip.checksum.status == 0");
        assertThat(problems).isEmpty();
    }

    private static String curl(String url) throws Exception {
        Process process = new ProcessBuilder("curl", "-sS", url).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("curl %s: %s", url, out).isZero();
        return out;
    }

    @Test
    void tsharkDecodesCurlRequestsAndAGrpcCallOnBothLegs() throws Exception {
        int backendPort = backend.getAddress().getPort();
        Path web;
        Path grpc;
        int webPort;
        int grpcPort;
        int grpcBackendPort;
        try (GrpcEcho echo = new GrpcEcho()) {
            grpcBackendPort = echo.port();
            try (Forwarder forwarder = Forwarder.start(ConfigLoader.parse("""
                    forwarder {
                      io-threads = 1
                      listener-defaults { capture { mode = pcap, dir = "%s" } }
                      listeners {
                        web { bind = "127.0.0.1:0", pool = web }
                        grpc { bind = "127.0.0.1:0", pool = grpc }
                      }
                      pools {
                        web { backends = [ "127.0.0.1:%d" ] }
                        grpc { backends = [ "127.0.0.1:%d" ] }
                      }
                    }
                    """.formatted(dir, backendPort, grpcBackendPort), "test"))) {
                webPort = forwarder.listenerAddress("web").getPort();
                grpcPort = forwarder.listenerAddress("grpc").getPort();
                assertThat(curl("http://127.0.0.1:" + webPort + "/curl-one")).isEqualTo("hello /curl-one");
                assertThat(curl("http://127.0.0.1:" + webPort + "/curl-two")).isEqualTo("hello /curl-two");
                io.grpc.ManagedChannel channel = GrpcEcho.channel(grpcPort);
                try {
                    assertThat(GrpcEcho.call(channel, GrpcEcho.SAY, "ping".getBytes(StandardCharsets.US_ASCII)))
                            .asString(StandardCharsets.US_ASCII).isEqualTo("ping");
                } finally {
                    GrpcEcho.shutdown(channel);
                }
                org.awaitility.Awaitility.await().until(() -> forwarder.listener("web").activeConnections() == 0
                        && forwarder.listener("grpc").activeConnections() == 0);
                forwarder.captures().stop("web");
                forwarder.captures().stop("grpc");
                List<Path> files = forwarder.captures().files();
                assertThat(files).hasSize(2);
                web = files.stream().filter(f -> f.getFileName().toString().startsWith("web-")).findFirst()
                        .orElseThrow();
                grpc = files.stream().filter(f -> f.getFileName().toString().startsWith("grpc-")).findFirst()
                        .orElseThrow();
            }
        }

        // curl's requests and the answers, on both legs.
        List<String> http = tshark("-r", web.toString(), "-d", "tcp.port==" + webPort + ",http", "-d",
                "tcp.port==" + backendPort + ",http", "-Y", "http", "-T", "fields", "-E", "separator=,",
                "-e", "ip.src", "-e", "tcp.srcport", "-e", "ip.dst", "-e", "tcp.dstport",
                "-e", "http.request.method", "-e", "http.request.uri", "-e", "http.response.code").lines().toList();
        for (String path : List.of("/curl-one", "/curl-two")) {
            assertThat(http).anyMatch(l -> l.matches("127\\.0\\.0\\.1,[0-9]+,127\\.0\\.0\\.1," + webPort + ",GET," + path
                    + ","));
            assertThat(http).anyMatch(l -> l.matches("127\\.0\\.0\\.1,[0-9]+,127\\.0\\.0\\.1," + backendPort + ",GET,"
                    + path + ","));
        }
        assertThat(http).filteredOn(l -> l.matches("127\\.0\\.0\\.1," + webPort + ",.*,,,200")).hasSize(2);
        assertThat(http).filteredOn(l -> l.matches("127\\.0\\.0\\.1," + backendPort + ",.*,,,200")).hasSize(2);
        for (int stream = 0; stream < 4; stream += 2) {
            String[] clientLeg = follow(web, stream);
            String[] backendLeg = follow(web, stream + 1);
            assertThat(clientLeg[2]).startsWith("GET /curl-").contains("User-Agent: curl/");
            assertThat(backendLeg[2]).isEqualTo(clientLeg[2]);
            assertThat(backendLeg[3]).isEqualTo(clientLeg[3]).startsWith("HTTP/1.1 200 OK").endsWith("hello "
                    + clientLeg[2].split(" ")[1]);
        }

        // The gRPC call: HTTP/2 with HPACK decoded by Wireshark, the method on both legs, the status in the trailers.
        List<String> h2 = tshark("-r", grpc.toString(), "-d", "tcp.port==" + grpcPort + ",http2", "-d",
                "tcp.port==" + grpcBackendPort + ",http2", "-Y", "http2.type == 1", "-T", "fields", "-E",
                "separator=,", "-E", "aggregator=;", "-e", "tcp.srcport", "-e", "tcp.dstport", "-e",
                "http2.headers.path", "-e", "http2.header.name", "-e", "http2.header.value").lines().toList();
        assertThat(h2).anyMatch(l -> l.matches("[0-9]+," + grpcPort + ",/echo\\.Echo/Say,.*"));
        assertThat(h2).anyMatch(l -> l.matches("[0-9]+," + grpcBackendPort + ",/echo\\.Echo/Say,.*"));
        assertThat(h2).anyMatch(l -> l.matches(grpcPort + ",[0-9]+,,.*grpc-status.*") && l.endsWith(";0"));
        assertThat(h2).anyMatch(l -> l.matches(grpcBackendPort + ",[0-9]+,,.*grpc-status.*") && l.endsWith(";0"));
        String[] clientLeg = follow(grpc, 0);
        String[] backendLeg = follow(grpc, 1);
        assertThat(clientLeg[1]).isEqualTo("127.0.0.1:" + grpcPort);
        assertThat(backendLeg[1]).isEqualTo("127.0.0.1:" + grpcBackendPort);
        assertThat(clientLeg[2]).startsWith("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n").contains("ping");
        assertThat(backendLeg[2]).isEqualTo(clientLeg[2]);
        assertThat(backendLeg[3]).isEqualTo(clientLeg[3]).contains("ping");
    }
}
