package dev.forwarder.app.reload;

import java.util.Objects;

/**
 * What one {@link Reloader#reload()} did.
 *
 * @param ok whether the new config is now running; when false the running config stayed exactly as it was
 * @param message on success what changed ({@code listeners_added=... pool_changed=web{added=[...] ...}} or
 *        {@code changes=none}); on failure why, e.g. the same {@code FILE:LINE: KEY: problem} line as at start
 */
public record ReloadResult(boolean ok, String message) {

    public ReloadResult {
        Objects.requireNonNull(message, "message");
    }
}
