package dev.forwarder.core.relay;

/**
 * Handler names, and the order of the pipelines in one place.
 *
 * <pre>
 * client channel:  [listener's ConnectionHandlers, e.g. tls, proxy-protocol]  relay
 * backend channel: [chooser's ConnectionHandlers, e.g. tls, send-proxy]       backend
 * </pre>
 *
 * A listener and pool without handlers have exactly {@code relay} and {@code backend}. The relay handler also keeps
 * the idle timeout (no IdleStateHandler, which allocates a promise per write); traffic observers are no handlers
 * but a field of each direction, so they never change a pipeline.
 */
public final class Pipelines {

    /** {@link RelayConnection}. */
    public static final String RELAY = "relay";
    /** {@link BackendHandler}. */
    public static final String BACKEND = "backend";

    private Pipelines() {
    }
}
