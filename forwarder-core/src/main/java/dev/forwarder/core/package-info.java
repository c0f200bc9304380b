/**
 * The relay's public face: {@link dev.forwarder.core.RelayServer} and the small interfaces the other modules
 * plug into ({@link dev.forwarder.core.BackendChooser} picks a backend, {@link dev.forwarder.core.ConnectionObserver}
 * hears what connections did).
 */
package dev.forwarder.core;
