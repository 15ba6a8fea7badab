package io.inuse.engine.machine;

/** A running Win32 service: short and display name, and the id of the process that hosts it (0 when none). */
public record Service(String shortName, String displayName, long pid) {
    /** "UPS Monitor (upsmon)", or the short name alone when the service has no display name. */
    public String describe() {
        return displayName == null || displayName.isEmpty() ? shortName : displayName + " (" + shortName + ")";
    }
}
