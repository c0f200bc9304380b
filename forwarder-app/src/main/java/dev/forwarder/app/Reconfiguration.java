package dev.forwarder.app;

import dev.forwarder.balancer.PoolChanges;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link Forwarder#apply} changed, by name: listeners and pools added, removed or changed, and for each changed
 * pool its members. {@link #toString()} is the reload log line's key=value part.
 */
public record Reconfiguration(List<String> listenersAdded, List<String> listenersRemoved,
        List<String> listenersChanged, List<String> poolsAdded, List<String> poolsRemoved,
        Map<String, PoolChanges> poolsChanged) {

    public Reconfiguration {
        listenersAdded = List.copyOf(listenersAdded);
        listenersRemoved = List.copyOf(listenersRemoved);
        listenersChanged = List.copyOf(listenersChanged);
        poolsAdded = List.copyOf(poolsAdded);
        poolsRemoved = List.copyOf(poolsRemoved);
        poolsChanged = Map.copyOf(poolsChanged);
    }

    /** Whether nothing changed. */
    public boolean isEmpty() {
        return listenersAdded.isEmpty() && listenersRemoved.isEmpty() && listenersChanged.isEmpty()
                && poolsAdded.isEmpty() && poolsRemoved.isEmpty() && poolsChanged.isEmpty();
    }

    @Override
    public String toString() {
        if (isEmpty()) {
            return "changes=none";
        }
        StringBuilder line = new StringBuilder();
        append(line, "listeners_added", listenersAdded);
        append(line, "listeners_removed", listenersRemoved);
        append(line, "listeners_changed", listenersChanged);
        append(line, "pools_added", poolsAdded);
        append(line, "pools_removed", poolsRemoved);
        poolsChanged.forEach((pool, changes) -> line.append(line.isEmpty() ? "" : " ").append("pool_changed=")
                .append(pool).append('{').append(changes).append('}'));
        return line.toString();
    }

    private static void append(StringBuilder line, String key, List<String> names) {
        if (!names.isEmpty()) {
            line.append(line.isEmpty() ? "" : " ").append(key).append('=').append(String.join(",", names));
        }
    }

    static final class Builder {
        private final List<String> listenersAdded = new ArrayList<>();
        private final List<String> listenersRemoved = new ArrayList<>();
        private final List<String> listenersChanged = new ArrayList<>();
        private final List<String> poolsAdded = new ArrayList<>();
        private final List<String> poolsRemoved = new ArrayList<>();
        private final Map<String, PoolChanges> poolsChanged = new LinkedHashMap<>();

        void listenerAdded(String name) {
            listenersAdded.add(name);
        }

        void listenerRemoved(String name) {
            listenersRemoved.add(name);
        }

        void listenerChanged(String name) {
            listenersChanged.add(name);
        }

        void poolAdded(String name) {
            poolsAdded.add(name);
        }

        void poolRemoved(String name) {
            poolsRemoved.add(name);
        }

        void poolChanged(String name, PoolChanges changes) {
            poolsChanged.put(name, changes);
        }

        Reconfiguration build() {
            return new Reconfiguration(listenersAdded, listenersRemoved, listenersChanged, poolsAdded, poolsRemoved,
                    poolsChanged);
        }
    }
}
