/**
 * The forwarder application: {@link dev.forwarder.app.Forwarder} assembles relay, pools and metrics from a
 * {@link dev.forwarder.app.config.ForwarderConfig}; {@link dev.forwarder.app.Main} is the command line
 * ({@code run}, {@code check}, {@code demo}).
 */
package dev.forwarder.app;
