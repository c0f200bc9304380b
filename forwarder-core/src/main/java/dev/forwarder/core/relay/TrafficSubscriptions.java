package dev.forwarder.core.relay;

import dev.forwarder.core.ConnectionInfo;
import dev.forwarder.core.TrafficObserver;

import java.util.Arrays;
import java.util.function.Predicate;

/**
 * The traffic observers of one listener that attach to each matching new connection (a capture, a live tap). Read
 * once per accept, a volatile array that is empty unless someone subscribed; changed rarely, under the lock.
 */
public final class TrafficSubscriptions {

    /** One subscription: which connections, and who sees their bytes. */
    public record Subscription(Predicate<ConnectionInfo> which, TrafficObserver observer) {
    }

    private static final Subscription[] NONE = new Subscription[0];

    private volatile Subscription[] all = NONE;

    public synchronized Subscription add(Predicate<ConnectionInfo> which, TrafficObserver observer) {
        Subscription subscription = new Subscription(which, observer);
        Subscription[] more = Arrays.copyOf(all, all.length + 1);
        more[more.length - 1] = subscription;
        all = more;
        return subscription;
    }

    public synchronized void remove(Subscription subscription) {
        all = Arrays.stream(all).filter(s -> s != subscription).toArray(Subscription[]::new);
    }

    /** At accept, on the connection's event loop. */
    void attachTo(RelayConnection connection) {
        Subscription[] now = all;
        for (Subscription subscription : now) {
            if (subscription.which().test(connection)) {
                connection.attach(subscription.observer());
            }
        }
    }
}
