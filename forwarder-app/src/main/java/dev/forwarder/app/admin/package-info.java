/**
 * The admin port: {@link dev.forwarder.app.admin.AdminServer} serves HTTP on a thread of its own;
 * {@link dev.forwarder.app.admin.AdminRoutes} checks each request (token, path, method, the mutation header) and
 * answers it with the JSON of the running listeners, pools and connections, or turns a member (drain, disable,
 * enable, weight), a connection (close) or the whole forwarder (drain, reload). {@code /metrics} and
 * {@code /api/reload} call what the assembly plugs in ({@link dev.forwarder.app.admin.MetricsWriter},
 * {@link dev.forwarder.app.admin.ReloadHook}). A listener's capture is switched and its files served by
 * {@code CaptureActions}; a live tap ({@code TapActions}, {@code TapResponse}) and a file download are
 * {@code AdminStream}s, responses that write themselves only while the channel is writable.
 */
package dev.forwarder.app.admin;
