package io.inuse.engine.machine;

/** A visible top-level window without an owner, of the process {@code pid}, and its title (never empty). */
public record WindowTitle(long pid, String title) {
}
