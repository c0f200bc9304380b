package dev.forwarder.core.relay;

/**
 * Handler names, and the order of the pipelines in one place.
 *
 * <pre>
 * client channel:  relay      (it also keeps the idle timeout: no IdleStateHandler, which allocates a
 *                              promise per write)
 * backend channel: backend
 * </pre>
 */
public final class Pipelines {

    /** {@link RelayConnection}. */
    public static final String RELAY = "relay";
    /** {@link BackendHandler}. */
    public static final String BACKEND = "backend";

    private Pipelines() {
    }
}
