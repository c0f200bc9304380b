package dev.forwarder.app.capture;

import dev.forwarder.core.Addresses;
import dev.forwarder.core.Backend;
import dev.forwarder.core.CloseReason;
import dev.forwarder.core.ConnectionInfo;
import dev.forwarder.core.ConnectionObserver;

import java.util.List;
import java.util.Locale;

/**
 * The timeline of each connection for {@code --dump}: accepted, connected (backend, connect latency, backends that
 * failed before it, why the chooser picked it), closed (who closed first and how, bytes, duration), one line each; the first byte each way is
 * told by the text sink from the first chunk. Observes no bytes, so it adds nothing per read.
 */
final class Timeline implements ConnectionObserver {

    private final TrafficRecorder recorder;

    Timeline(TrafficRecorder recorder) {
        this.recorder = recorder;
    }

    @Override
    public boolean observesBytes() {
        return false;
    }

    @Override
    public void accepted(ConnectionInfo info) {
        mark(recorder.connection(info), "accepted listener=" + info.listener() + " client="
                + Addresses.format(info.client()));
    }

    @Override
    public void opened(ConnectionInfo info) {
        long now = System.nanoTime();
        Backend backend = info.backend();
        StringBuilder line = new StringBuilder("connected backend=").append(backend.name())
                .append(" connect_ms=").append(millis(now - info.acceptedNanos()));
        Legs legs = TrafficRecorder.legs(info);
        if (legs.local() != null) {
            line.append(" local=").append(Addresses.format(legs.local()));
        }
        List<Backend> failed = info.failedBackends();
        if (!failed.isEmpty()) {
            line.append(" failed=").append(failed.stream().map(Backend::name).toList());
        }
        String choice = info.choice();
        if (choice != null) {
            line.append(" choice=\"").append(choice).append('"');
        }
        recorder.queue().offer(new CaptureEvent.Mark(recorder.connection(info), now, line.toString()));
    }

    @Override
    public void closed(ConnectionInfo info) {
        long now = System.nanoTime();
        CloseReason reason = info.closeReason();
        String line = "closed reason=" + reason.label() + " " + how(reason) + " bytes_up=" + info.bytesUp()
                + " bytes_down=" + info.bytesDown() + " duration_ms=" + millis(now - info.acceptedNanos());
        recorder.queue().offer(new CaptureEvent.Mark(recorder.forget(info), now, line));
    }

    private void mark(CapturedConnection connection, String text) {
        recorder.queue().offer(new CaptureEvent.Mark(connection, System.nanoTime(), text));
    }

    /** Who ended the connection first and how, from its close reason. */
    static String how(CloseReason reason) {
        return switch (reason) {
            case CLIENT_CLOSED -> "first=client how=fin";
            case BACKEND_CLOSED -> "first=backend how=fin";
            case CLIENT_RESET -> "first=client how=rst";
            case BACKEND_RESET -> "first=backend how=rst";
            case CONNECT_FAILED, NO_BACKEND, QUEUE_TIMEOUT, QUEUE_FULL -> "first=forwarder how=fin";
            case IDLE_TIMEOUT -> "first=forwarder how=fin-or-rst";
            default -> "first=forwarder how=rst";
        };
    }

    static String millis(long nanos) {
        return String.format(Locale.ROOT, "%.3f", nanos / 1e6);
    }
}
