/**
 * The configuration: {@link dev.forwarder.app.config.ConfigLoader} parses HOCON (the only place that does) and
 * validates it eagerly into immutable records, {@link dev.forwarder.app.config.ForwarderConfig} at the top; a bad
 * value becomes a {@link dev.forwarder.app.config.ConfigError} naming its file, line and key.
 */
package dev.forwarder.app.config;
