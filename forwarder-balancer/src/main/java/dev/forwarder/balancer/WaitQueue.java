package dev.forwarder.balancer;

import dev.forwarder.core.Backend;
import dev.forwarder.core.Waiter;

import java.util.IdentityHashMap;
import java.util.Map;

/**
 * A pool's connections waiting for a member to have room, in arrival order, bounded. A waiter that leaves is
 * unlinked at once, so neither it nor its connection object stays behind.
 *
 * <p>One lock guards the list. It is only ever taken when every member is full (a connection queues or leaves) or
 * when a connection ends while others wait; {@link #size()} is a plain volatile read, which is all the pick path
 * of a pool with free room pays. A lock-free deque would not be simpler: {@code ConcurrentLinkedDeque.remove} scans
 * the whole queue, and marking a leaving waiter instead leaves its node behind until someone polls it, which is
 * exactly the growth this class exists to prevent. Waiters are woken outside the lock.
 */
final class WaitQueue {

    // Guarded by this. Keyed by identity: a waiter is one connection, whatever its equals says.
    private final Map<Waiter, Node> nodes = new IdentityHashMap<>();
    private Node head;
    private Node tail;
    // Written under the lock, read without it.
    private volatile int size;

    /** Waiters in the queue now. */
    int size() {
        return size;
    }

    /**
     * Adds {@code waiter} at the tail, unless the queue already holds {@code bound} waiters.
     *
     * @return false when the queue is full
     */
    synchronized boolean offer(Waiter waiter, int bound) {
        if (nodes.containsKey(waiter)) {
            return true;
        }
        if (nodes.size() >= bound) {
            return false;
        }
        Node node = new Node(waiter);
        nodes.put(waiter, node);
        if (tail == null) {
            head = node;
        } else {
            tail.next = node;
            node.previous = tail;
        }
        tail = node;
        size = nodes.size();
        return true;
    }

    /** Takes {@code waiter} out; false when it is not queued (a wake-up took it out first). */
    synchronized boolean remove(Waiter waiter) {
        Node node = nodes.remove(waiter);
        if (node == null) {
            return false;
        }
        unlink(node);
        return true;
    }

    /**
     * Hands {@code slot}, already acquired, to the first waiter that still waits; waiters that no longer do are
     * dropped on the way.
     *
     * @return false when no waiter took it: the caller still holds the slot
     */
    boolean handOn(Backend slot) {
        for (Waiter waiter = poll(); waiter != null; waiter = poll()) {
            if (waiter.wake(slot)) {
                return true;
            }
        }
        return false;
    }

    private synchronized Waiter poll() {
        Node first = head;
        if (first == null) {
            return null;
        }
        nodes.remove(first.waiter);
        unlink(first);
        return first.waiter;
    }

    private void unlink(Node node) {
        if (node.previous == null) {
            head = node.next;
        } else {
            node.previous.next = node.next;
        }
        if (node.next == null) {
            tail = node.previous;
        } else {
            node.next.previous = node.previous;
        }
        node.previous = null;
        node.next = null;
        size = nodes.size();
    }

    private static final class Node {
        final Waiter waiter;
        Node previous;
        Node next;

        Node(Waiter waiter) {
            this.waiter = waiter;
        }
    }
}
