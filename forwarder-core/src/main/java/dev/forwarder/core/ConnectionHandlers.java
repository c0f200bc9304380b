package dev.forwarder.core;

import io.netty.channel.ChannelPipeline;

/**
 * Handlers a listener puts in front of the relay on the client side of each connection (TLS termination,
 * PROXY-protocol accept, allow/deny), or a chooser on the backend side (TLS origination, PROXY-protocol send, fault
 * injection; see {@link BackendChooser#backendHandlers()}). A listener without any has exactly the plain relay's
 * pipeline.
 *
 * <p>Client-side handlers that must see bytes before the backend is chosen ({@link #delaysChoice()}) end that
 * phase by firing a {@link ClientReadyEvent} down the pipeline; bytes they pass on before it are held and sent to
 * the backend once connected.
 */
public interface ConnectionHandlers {

    /**
     * Adds this contributor's handlers to a new connection's pipeline, in front of the relay's own handler. Runs on
     * the connection's event loop before the channel reads.
     */
    void addTo(ChannelPipeline pipeline, ConnectionInfo connection);

    /** Whether the relay waits for a {@link ClientReadyEvent} before it chooses a backend (client side only). */
    default boolean delaysChoice() {
        return false;
    }

    /**
     * Whether the connection may still splice: {@code false} (the default) for handlers that change or must see the
     * bytes, such as TLS.
     */
    default boolean allowsSplice() {
        return false;
    }

    /**
     * {@code first}'s handlers, then {@code second}'s (either may be {@code null}): e.g. a PROXY header sent in clear
     * in front of a TLS origination. Splices only where both do; delays the choice where either does.
     */
    static ConnectionHandlers inOrder(ConnectionHandlers first, ConnectionHandlers second) {
        if (first == null || second == null) {
            return first == null ? second : first;
        }
        return new ConnectionHandlers() {
            @Override
            public void addTo(ChannelPipeline pipeline, ConnectionInfo connection) {
                first.addTo(pipeline, connection);
                second.addTo(pipeline, connection);
            }

            @Override
            public boolean delaysChoice() {
                return first.delaysChoice() || second.delaysChoice();
            }

            @Override
            public boolean allowsSplice() {
                return first.allowsSplice() && second.allowsSplice();
            }
        };
    }
}
