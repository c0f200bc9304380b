package dev.forwarder.balancer;

import dev.forwarder.core.ConnectPolicy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What one {@link Pool#reconfigure} changed: members by name (their address), settings by config key.
 *
 * @param added members that joined, or that drained and are configured again
 * @param removed members no longer configured: they drain (no new connections) and leave with their last one
 * @param changed kept members with a new weight, backup flag or limit, e.g. {@code 10.0.0.5:80(weight=1->3)}
 * @param settings pool-wide changes, e.g. {@code strategy=round-robin->maglev}, {@code max-queue=1024->64}
 */
public record PoolChanges(List<String> added, List<String> removed, List<String> changed, List<String> settings) {

    public PoolChanges {
        added = List.copyOf(added);
        removed = List.copyOf(removed);
        changed = List.copyOf(changed);
        settings = List.copyOf(settings);
    }

    /** Whether the new configuration was the same as the old. */
    public boolean isEmpty() {
        return added.isEmpty() && removed.isEmpty() && changed.isEmpty() && settings.isEmpty();
    }

    /** Key=value words for a log line: {@code added=[...] removed=[...] changed=[...] settings=[...]}. */
    @Override
    public String toString() {
        return "added=" + words(added) + " removed=" + words(removed) + " changed=" + words(changed) + " settings="
                + words(settings);
    }

    private static String words(List<String> list) {
        return "[" + String.join(",", list) + "]";
    }

    /** The pool-wide differences between two configurations, by config key. */
    static List<String> settingsDiff(BalancingStrategy strategy, PoolSettings settings, ConnectPolicy policy,
            BalancingStrategy nextStrategy, PoolSettings next, ConnectPolicy nextPolicy) {
        List<String> diff = new ArrayList<>();
        // A strategy is a new instance per pool; its name says whether it is another kind.
        add(diff, "strategy", strategy.toString(), nextStrategy.toString());
        add(diff, "max-connections", settings.maxConnections(), next.maxConnections());
        add(diff, "max-queue", settings.maxQueue(), next.maxQueue());
        add(diff, "max-fails", settings.maxFails(), next.maxFails());
        add(diff, "fail-timeout", millis(settings.failTimeout()), millis(next.failTimeout()));
        add(diff, "slow-start", millis(settings.slowStart()), millis(next.slowStart()));
        add(diff, "on-down", label(settings.onDown()), label(next.onDown()));
        add(diff, "resolve-interval", millis(settings.resolveInterval()), millis(next.resolveInterval()));
        if (!settings.healthCheck().equals(next.healthCheck())) {
            diff.add("health-check=" + settings.healthCheck().type().label() + "->"
                    + next.healthCheck().type().label());
        }
        if (policy != null && nextPolicy != null) {
            add(diff, "connect-tries", policy.tries(), nextPolicy.tries());
            add(diff, "connect-deadline", millis(policy.deadline()), millis(nextPolicy.deadline()));
            add(diff, "queue-timeout", millis(policy.queueTimeout()), millis(nextPolicy.queueTimeout()));
        } else if (policy != nextPolicy) {
            diff.add("connect-policy=" + (policy == null ? "listener's" : "pool's") + "->"
                    + (nextPolicy == null ? "listener's" : "pool's"));
        }
        return diff;
    }

    private static void add(List<String> diff, String key, Object before, Object after) {
        if (!before.equals(after)) {
            diff.add(key + "=" + before + "->" + after);
        }
    }

    private static String label(OnDown onDown) {
        return onDown.name().toLowerCase(Locale.ROOT).replace('_', '-');
    }

    private static String millis(Duration duration) {
        return duration.toMillis() + "ms";
    }
}
