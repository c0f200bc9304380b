package dev.forwarder.core.relay;

/**
 * Handler names, and the order of the pipelines in one place.
 *
 * <pre>
 * client channel:  [proxy-guard proxy-decoder proxy-header] [first-byte-timeout]
 *                  [listener's ConnectionHandlers, e.g. tls tls-session]      relay
 * backend channel: [chooser's ConnectionHandlers, e.g. send-proxy, tls tls-session]  backend
 * </pre>
 *
 * TLS ({@code dev.forwarder.core.tls}): on the client side {@code tls} is Netty's SniHandler until the ClientHello
 * is read, then the SslHandler (named by its class); on the backend side the SslHandler {@code tls} is added in front
 * of {@code tls-session} at connect.
 *
 * The bracketed groups exist only where configured ({@code accept-proxy}, {@code first-byte-timeout}); a client
 * refused by allow/deny or a limit gets no handler at all (closed in the initializer). A listener and pool without
 * handlers have exactly {@code relay} and {@code backend}. The relay handler also keeps
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
