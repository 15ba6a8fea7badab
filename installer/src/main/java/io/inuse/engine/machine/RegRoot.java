package io.inuse.engine.machine;

/**
 * The registry roots the broker serves, by the names it takes on the wire. HKCU is the hive of the
 * account the action runs as: SYSTEM's in a deferred action without impersonation.
 */
public enum RegRoot {
    HKLM,
    HKCU
}
