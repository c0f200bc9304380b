package dev.forwarder.core;

import java.time.Instant;
import java.util.List;

/**
 * One live connection as it was when a snapshot was taken on its event loop (see {@link BoundListener#connections}).
 *
 * @param id the connection's id, {@code conn=} in logs
 * @param listener the listener that accepted it
 * @param client the client's address, {@code 127.0.0.1:50412}
 * @param backend the backend it relays to, or {@code null} while it is still choosing or connecting
 * @param state where it is in its life
 * @param started when it was accepted (wall clock)
 * @param durationMillis how long it has been open
 * @param bytesUp bytes from the client to the backend
 * @param bytesDown bytes from the backend to the client
 * @param bytesSpliced of those, the bytes moved by splice
 * @param failedBackends names of the backends it failed to connect to, in order
 * @param flow how bytes flow each way, for a person: whether the side reads, why not, what waits to be written,
 *        e.g. {@code up: reading, pending 0 B; down: paused (client full), pending 1048576 B, splice 65536 B queued}
 * @param connectMillis from accept to the backend connected (choice, queue and failed tries included), in
 *        milliseconds; -1 while not connected
 * @param firstUpMillis from accept to the first bytes read from the client; -1 before any
 * @param firstDownMillis from accept to the first bytes read from the backend; -1 before any
 * @param firstClose which side ended first and how, {@code client-fin}; {@code null} while neither has
 * @param summary what its first bytes say ({@link ConnectionInfo#summary()}), or {@code null}
 * @param choice why its backend was chosen ({@link ConnectionInfo#choice()}), or {@code null}
 */
public record ConnectionSnapshot(String id, String listener, String client, String backend, ConnectionState state,
        Instant started, long durationMillis, long bytesUp, long bytesDown, long bytesSpliced,
        List<String> failedBackends, String flow, double connectMillis, double firstUpMillis,
        double firstDownMillis, String firstClose, String summary, String choice) {

    public ConnectionSnapshot {
        failedBackends = List.copyOf(failedBackends);
    }

    /** Without the timeline (it reads as not happened yet), summary or choice. */
    public ConnectionSnapshot(String id, String listener, String client, String backend, ConnectionState state,
            Instant started, long durationMillis, long bytesUp, long bytesDown, long bytesSpliced,
            List<String> failedBackends, String flow) {
        this(id, listener, client, backend, state, started, durationMillis, bytesUp, bytesDown, bytesSpliced,
                failedBackends, flow, -1, -1, -1, null, null, null);
    }

    /** Milliseconds from {@code acceptedNanos} to {@code stampNanos} (a {@link System#nanoTime()} stamp), or -1. */
    public static double millisSince(long acceptedNanos, long stampNanos) {
        return stampNanos == 0 ? -1 : (stampNanos - acceptedNanos) / 1_000L / 1000.0;
    }
}
