package io.inuse.engine.machine;

/**
 * A Restart Manager session the broker started ({@code RmStartSession}: handle and key) or joined
 * ({@code RmJoinSession}: the key joined). The broker serves only the handles it handed out in this
 * action, and ends those still open when the action ends.
 */
public record RmSession(long handle, String key) {
}
