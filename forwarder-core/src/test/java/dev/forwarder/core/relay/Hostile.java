package dev.forwarder.core.relay;

import dev.forwarder.core.testing.RecordingObserver;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Tuple;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.time.Duration;
import java.util.List;

import static org.awaitility.Awaitility.await;

/** What the hostile-input properties ({@link ProxyHeaderFuzzTest}, {@link TlsRecordFuzzTest}) share. */
final class Hostile {

    private Hostile() {
    }

    /** Writes {@code bytes}, half-closes when {@code fin}, and reads until the listener closes; closes the socket. */
    static void send(Socket socket, byte[] bytes, boolean fin) throws IOException {
        try (socket) {
            socket.setSoTimeout(5_000);
            try {
                socket.getOutputStream().write(bytes);
                if (fin) {
                    socket.shutdownOutput();
                }
                socket.getInputStream().transferTo(OutputStream.nullOutputStream());
            } catch (IOException reset) {
                // The listener may reset it, or close before all was written: either ends it.
            }
        }
    }

    /**
     * Waits until {@code observer} has heard {@code from + 1} connections close and returns those after the first
     * {@code from}: what the connections of one try ended with.
     */
    static List<RecordingObserver.Closed> closedSince(RecordingObserver observer, int from) {
        await().atMost(Duration.ofSeconds(10)).until(() -> observer.closed.size() > from);
        return observer.closed.subList(from, observer.closed.size());
    }

    /** Nine times in ten {@code true}: most hostile clients half-close, some leave the listener to time out. */
    static Arbitrary<Boolean> mostlyTrue() {
        return Arbitraries.frequency(Tuple.of(9, true), Tuple.of(1, false));
    }
}
