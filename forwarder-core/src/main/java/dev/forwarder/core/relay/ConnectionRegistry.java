package dev.forwarder.core.relay;

import dev.forwarder.core.Addresses;
import dev.forwarder.core.Backend;
import dev.forwarder.core.CloseReason;
import dev.forwarder.core.ConnectionInfo;
import dev.forwarder.core.ConnectionObserver;
import dev.forwarder.core.ConnectionSnapshot;
import dev.forwarder.core.ConnectionState;
import io.netty.channel.EventLoop;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Predicate;

/**
 * The open connections of one listener: an observer that adds a connection at accept and removes it at
 * close. Other threads only ever read the map; whatever they want of a connection runs on that connection's event
 * loop ({@link #snapshot}, {@link #forEach}), so no field of a connection is read across threads.
 */
public final class ConnectionRegistry implements ConnectionObserver {

    /** How long a snapshot or a close-all waits for the event loops. */
    static final Duration LOOP_WAIT = Duration.ofSeconds(5);

    // A set by identity: no id string is built per connection for it (ids are looked up only by close(id), rare).
    private final Set<RelayConnection> open = ConcurrentHashMap.newKeySet();

    @Override
    public boolean observesBytes() {
        return false;
    }

    @Override
    public void accepted(ConnectionInfo connection) {
        open.add((RelayConnection) connection);
    }

    @Override
    public void closed(ConnectionInfo connection) {
        open.remove((RelayConnection) connection);
    }

    public int size() {
        return open.size();
    }

    /** The open connections; only their event loops may read them. */
    public Collection<RelayConnection> connections() {
        return open;
    }

    /**
     * The open connections that {@code filter} accepts, oldest first, at most {@code limit}; gathered on their event
     * loops, one task per loop. Any thread but an event loop of this relay.
     */
    public List<ConnectionSnapshot> snapshot(Predicate<ConnectionSnapshot> filter, int limit) {
        requireOffTheLoops();
        List<CompletableFuture<List<ConnectionSnapshot>>> parts = new ArrayList<>();
        for (Map.Entry<EventLoop, List<RelayConnection>> loop : byLoop().entrySet()) {
            CompletableFuture<List<ConnectionSnapshot>> part = new CompletableFuture<>();
            try {
                loop.getKey().execute(() -> {
                    try {
                        List<ConnectionSnapshot> taken = new ArrayList<>(loop.getValue().size());
                        for (RelayConnection connection : loop.getValue()) {
                            ConnectionSnapshot snapshot = snapshot(connection);
                            if (snapshot != null && filter.test(snapshot)) {
                                taken.add(snapshot);
                            }
                        }
                        part.complete(taken);
                    } catch (RuntimeException e) {
                        part.completeExceptionally(e);
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException stopped) {
                part.complete(List.of());
            }
            parts.add(part);
        }
        List<ConnectionSnapshot> all = new ArrayList<>();
        for (CompletableFuture<List<ConnectionSnapshot>> part : parts) {
            all.addAll(await(part));
        }
        all.sort(Comparator.comparing(ConnectionSnapshot::started).thenComparing(ConnectionSnapshot::id));
        return all.size() > limit ? List.copyOf(all.subList(0, limit)) : all;
    }

    /**
     * Closes the connection {@code id} with {@code reason}, on its event loop.
     *
     * @return whether such a connection was open
     */
    public boolean close(String id, CloseReason reason) {
        for (RelayConnection connection : open) {
            if (connection.id().equals(id)) {
                connection.eventLoop().execute(() -> connection.close(reason));
                return true;
            }
        }
        return false;
    }

    /**
     * Runs {@code action} on each open connection, on that connection's event loop.
     *
     * @return completes once every action ran
     */
    public CompletableFuture<Void> forEach(Consumer<RelayConnection> action) {
        List<CompletableFuture<Void>> parts = new ArrayList<>();
        for (Map.Entry<EventLoop, List<RelayConnection>> loop : byLoop().entrySet()) {
            CompletableFuture<Void> part = new CompletableFuture<>();
            try {
                loop.getKey().execute(() -> {
                    try {
                        loop.getValue().forEach(action);
                    } finally {
                        part.complete(null);
                    }
                });
            } catch (java.util.concurrent.RejectedExecutionException stopped) {
                part.complete(null);
            }
            parts.add(part);
        }
        return CompletableFuture.allOf(parts.toArray(new CompletableFuture[0]));
    }

    /** {@code connection} as it is now, or {@code null} once closed. On its event loop. */
    static ConnectionSnapshot snapshot(RelayConnection connection) {
        if (connection.state() == ConnectionState.CLOSED) {
            return null;
        }
        Backend backend = connection.backend();
        return new ConnectionSnapshot(connection.id(), connection.listener(), Addresses.format(connection.client()),
                backend == null ? null : backend.name(), connection.state(),
                Instant.ofEpochMilli(connection.acceptedMillis()),
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - connection.acceptedNanos()), connection.bytesUp(),
                connection.bytesDown(), connection.bytesSpliced(),
                connection.failedBackends().stream().map(Backend::name).toList(), connection.flow(),
                ConnectionSnapshot.millisSince(connection.acceptedNanos(), connection.connectedNanos()),
                ConnectionSnapshot.millisSince(connection.acceptedNanos(), connection.firstUpNanos()),
                ConnectionSnapshot.millisSince(connection.acceptedNanos(), connection.firstDownNanos()),
                connection.firstClose() == null ? null : connection.firstClose().label(),
                connection.summary(), connection.choice());
    }

    private Map<EventLoop, List<RelayConnection>> byLoop() {
        Map<EventLoop, List<RelayConnection>> byLoop = new IdentityHashMap<>();
        for (RelayConnection connection : open) {
            byLoop.computeIfAbsent(connection.eventLoop(), loop -> new ArrayList<>()).add(connection);
        }
        return byLoop;
    }

    /**
     * Runs {@code action} on each open connection's loop like {@link #forEach}, and waits for it.
     *
     * @throws IllegalStateException on one of those loops (it would wait for its own task), or when the loops do not
     *     answer within {@link #LOOP_WAIT}
     */
    public void forEachAndWait(Consumer<RelayConnection> action) {
        requireOffTheLoops();
        await(forEach(action));
    }

    private void requireOffTheLoops() {
        for (RelayConnection connection : open) {
            if (connection.eventLoop().inEventLoop()) {
                throw new IllegalStateException("called on an event loop of this listener's connections; call from"
                        + " another thread");
            }
        }
    }

    /**
     * Waits for work handed to the event loops, at most {@link #LOOP_WAIT}.
     *
     * @throws IllegalStateException when the loops do not answer in time
     */
    private static <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(LOOP_WAIT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while gathering connections", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("event loop did not answer within " + LOOP_WAIT.toMillis() + " ms", e);
        }
    }
}
