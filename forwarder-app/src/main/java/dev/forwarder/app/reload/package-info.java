/**
 * Reloading a running forwarder from its config file: {@link dev.forwarder.app.reload.Reloader} reads and
 * validates the file again and applies it in place; SIGHUP and the admin port's {@code POST /api/reload} call it.
 */
package dev.forwarder.app.reload;
