package dev.forwarder.core.relay;

/**
 * Handler names, and the order of the pipelines in one place.
 *
 * <pre>
 * client channel:  [idle] -&gt; relay      (idle only when the listener has an idle timeout)
 * backend channel: backend
 * </pre>
 */
public final class Pipelines {

    /** {@link io.netty.handler.timeout.IdleStateHandler} on the client channel: both directions count. */
    public static final String IDLE = "idle";
    /** {@link RelayConnection}. */
    public static final String RELAY = "relay";
    /** {@link BackendHandler}. */
    public static final String BACKEND = "backend";

    private Pipelines() {
    }
}
