package dev.forwarder.app.loadtest;

import io.netty.channel.Channel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

/** One connection's worth of load (or, in churn, one connect-send-read-close loop), living on one event loop. */
interface Worker {

    /** Begins sending; returns at once. */
    void start();

    /**
     * Stops sending and closes the connection; nothing after this is counted. Completes once closed, with whether
     * a request was still waiting for its answer (or, in churn, for its connect).
     */
    Future<Boolean> stop();

    /** Completes {@code closed} with {@code outstanding} once {@code open} (if any) has closed. */
    static void closeThen(Channel open, Promise<Boolean> closed, boolean outstanding) {
        if (open == null) {
            closed.setSuccess(outstanding);
        } else {
            open.close().addListener(f -> closed.setSuccess(outstanding));
        }
    }
}
