package dev.forwarder.app.admin;

/**
 * What {@code POST /api/reload} calls: re-reads the config file and applies it in place. Called on the admin port's
 * own thread, so it may block while the new config is applied.
 */
@FunctionalInterface
public interface ReloadHook {

    /** Reloads; a config that cannot be applied is a reply with {@code ok = false}, not an exception. */
    ReloadReply reload();

    /**
     * How a reload went.
     *
     * @param ok whether the new config runs now (200), or was rejected and the running one stays (400)
     * @param message what changed, or why it was rejected (e.g. the file:line:key message)
     */
    record ReloadReply(boolean ok, String message) {

        public ReloadReply {
            message = message == null ? "" : message;
        }
    }
}
