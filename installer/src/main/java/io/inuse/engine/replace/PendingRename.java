package io.inuse.engine.replace;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One entry of a PendingFileRenameOperations value: a source string and a destination string, each
 * NUL-terminated UTF-16LE (docs/pending-renames.md). An entry read from the registry keeps its exact
 * bytes, so that writing the list back gives every entry it did not touch byte for byte; its parts
 * are views of those bytes:
 *
 * <pre>
 *   source text       = marker + source          "*1" + "\??\C:\Temp\a.tmp"
 *   destination text  = destinationMarker + ["!"] + destination   "" + "!" + "\??\C:\x.dll"
 * </pre>
 *
 * A marker is {@code *} and the digits after it, which Windows 10 and 11 write in front of some
 * entries; its meaning is not documented, so it is kept and exposed, never interpreted. {@code !}
 * is MOVEFILE_REPLACE_EXISTING. An empty destination text is a delete. Paths are compared as
 * Windows compares names: after the NT prefix {@code \??\} and without regard to case.
 */
public final class PendingRename {
    /** The prefix MoveFileEx puts before a path: the NT namespace of DOS devices. */
    public static final String NT_PREFIX = "\\??\\";
    private static final String WIN32_PREFIX = "\\\\?\\";
    private static final String FORBIDDEN = "<>:\"/|?*";

    private final byte[] raw;
    private final String sourceText;
    private final String destinationText;
    private final int sourceMarkerEnd;
    private final int destinationMarkerEnd;
    private final boolean replaceExisting;

    /** An entry whose bytes are {@code raw}: the two strings with their NULs, as the decoder found them. */
    PendingRename(byte[] raw, String sourceText, String destinationText) {
        this.raw = raw;
        this.sourceText = sourceText;
        this.destinationText = destinationText;
        this.sourceMarkerEnd = markerEnd(sourceText);
        this.destinationMarkerEnd = markerEnd(destinationText);
        this.replaceExisting = destinationMarkerEnd < destinationText.length()
                && destinationText.charAt(destinationMarkerEnd) == '!';
    }

    /**
     * This product's entry for a boot-time rename of {@code from} to {@code to}, as MoveFileEx with
     * MOVEFILE_DELAY_UNTIL_REBOOT writes it: {@code \??\from}, then {@code !\??\to} when an existing
     * {@code to} is to be replaced (MOVEFILE_REPLACE_EXISTING), else {@code \??\to}. Both are full
     * local paths ({@code C:\...}); IllegalArgumentException names the path that is not.
     */
    public static PendingRename rename(String from, String to, boolean replaceExisting) {
        String source = NT_PREFIX + checkedPath("source", from);
        String destination = (replaceExisting ? "!" : "") + NT_PREFIX + checkedPath("destination", to);
        return new PendingRename(bytes(source, destination), source, destination);
    }

    /** This product's entry for a boot-time delete of {@code path}: {@code \??\path} and an empty destination. */
    public static PendingRename delete(String path) {
        String source = NT_PREFIX + checkedPath("source", path);
        return new PendingRename(bytes(source, ""), source, "");
    }

    /** The source string exactly as stored, marker included. */
    public String sourceText() {
        return sourceText;
    }

    /** The destination string exactly as stored, marker and {@code !} included; "" for a delete. */
    public String destinationText() {
        return destinationText;
    }

    /** The source's marker ({@code *1}, {@code *2}, ...), or "" when it has none. */
    public String marker() {
        return sourceText.substring(0, sourceMarkerEnd);
    }

    /** The source without its marker, usually an NT path such as {@code \??\C:\Temp\a.tmp}. */
    public String source() {
        return sourceText.substring(sourceMarkerEnd);
    }

    /** The destination's marker, or "" when it has none (seen in the wild as {@code *1!\??\...}). */
    public String destinationMarker() {
        return destinationText.substring(0, destinationMarkerEnd);
    }

    /** The destination without its marker and {@code !}; "" for a delete. */
    public String destination() {
        return destinationText.substring(destinationMarkerEnd + (replaceExisting ? 1 : 0));
    }

    /** Whether the destination carries {@code !}: an existing destination is replaced (MOVEFILE_REPLACE_EXISTING). */
    public boolean replaceExisting() {
        return replaceExisting;
    }

    /** Whether this entry deletes its source at boot: an empty destination. */
    public boolean isDelete() {
        return destinationText.isEmpty();
    }

    /** The source's path without marker and {@code \??\}: {@code C:\Temp\a.tmp}. */
    public String sourcePath() {
        return withoutPrefix(source());
    }

    /** The destination's path without marker, {@code !} and {@code \??\}; "" for a delete. */
    public String destinationPath() {
        return withoutPrefix(destination());
    }

    /** Whether the source is {@code path} (with or without {@code \??\} or {@code \\?\}), regardless of case. */
    public boolean sourceIs(String path) {
        return samePath(sourcePath(), path);
    }

    /** Whether the destination is {@code path}, as {@link #sourceIs}; never for a delete. */
    public boolean destinationIs(String path) {
        return !isDelete() && samePath(destinationPath(), path);
    }

    /** The entry's bytes: source, NUL, destination, NUL, in UTF-16LE. A copy. */
    public byte[] raw() {
        return raw.clone();
    }

    int rawLength() {
        return raw.length;
    }

    void copyRawTo(byte[] target, int at) {
        System.arraycopy(raw, 0, target, at, raw.length);
    }

    /**
     * Whether two paths name the same file as Windows compares names: an NT ({@code \??\}) or Win32
     * ({@code \\?\}) prefix is ignored, and the rest is compared unit by unit after simple
     * upper-casing (as RtlUpcaseUnicodeChar does; Windows' own table may differ for a few rare
     * letters). Spellings that only the file system can resolve (8.3 names, links) do not match.
     */
    public static boolean samePath(String a, String b) {
        String x = withoutPrefix(a);
        String y = withoutPrefix(b);
        if (x.length() != y.length()) {
            return false;
        }
        for (int i = 0; i < x.length(); i++) {
            char c = x.charAt(i);
            char d = y.charAt(i);
            if (c != d && Character.toUpperCase(c) != Character.toUpperCase(d)) {
                return false;
            }
        }
        return true;
    }

    /** Equal entries have the same bytes. */
    @Override
    public boolean equals(Object o) {
        return o instanceof PendingRename other && Arrays.equals(raw, other.raw);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(raw);
    }

    /** For logs: {@code *1\??\C:\a -> !\??\C:\b}, or {@code \??\C:\a -> (delete)}. */
    @Override
    public String toString() {
        return sourceText + " -> " + (isDelete() ? "(delete)" : destinationText);
    }

    private static String withoutPrefix(String path) {
        if (path.startsWith(NT_PREFIX) || path.startsWith(WIN32_PREFIX)) {
            return path.substring(NT_PREFIX.length());
        }
        return path;
    }

    /** The end of a leading marker: {@code *} and the ASCII digits after it; 0 when there is none. */
    private static int markerEnd(String text) {
        if (text.isEmpty() || text.charAt(0) != '*') {
            return 0;
        }
        int end = 1;
        while (end < text.length() && text.charAt(end) >= '0' && text.charAt(end) <= '9') {
            end++;
        }
        return end;
    }

    private static byte[] bytes(String source, String destination) {
        String both = source + '\0' + destination + '\0';
        return both.getBytes(StandardCharsets.UTF_16LE);
    }

    /**
     * A full local path MoveFileEx would have turned into {@code \??\path} unchanged: a drive letter,
     * {@code :\}, and names without an empty, {@code .} or {@code ..} segment, a character Windows
     * forbids in names, or an unpaired surrogate (the value is UTF-16).
     */
    private static String checkedPath(String role, String path) {
        String what = "the " + role + " of a pending rename";
        if (path == null || path.isEmpty()) {
            throw new IllegalArgumentException(what + " is empty: give a full path such as C:\\Windows\\System32\\MAPI32.DLL");
        }
        char drive = Character.toUpperCase(path.charAt(0));
        if (path.length() < 4 || drive < 'A' || drive > 'Z' || path.charAt(1) != ':' || path.charAt(2) != '\\') {
            throw new IllegalArgumentException(what + " '" + path + "' is not a full local path: it must start with"
                    + " a drive letter and :\\ (for example C:\\Windows\\System32\\MAPI32.DLL)");
        }
        int segmentStart = 3;
        for (int i = 3; i <= path.length(); i++) {
            if (i == path.length() || path.charAt(i) == '\\') {
                String segment = path.substring(segmentStart, i);
                if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                    throw new IllegalArgumentException(what + " '" + path + "' has an empty, . or .. name at char "
                            + segmentStart + "; give the path as GetFullPathName would, without a trailing \\");
                }
                segmentStart = i + 1;
                continue;
            }
            char c = path.charAt(i);
            if (c < 0x20 || FORBIDDEN.indexOf(c) >= 0) {
                throw new IllegalArgumentException(what + " '" + path + "' has the character U+" + hex(c) + " at char " + i
                        + ", which Windows does not allow in a file name");
            }
            if (Character.isHighSurrogate(c) && i + 1 < path.length() && Character.isLowSurrogate(path.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException(what + " '" + path + "' has an unpaired surrogate U+" + hex(c)
                        + " at char " + i + ", which is not valid UTF-16");
            }
        }
        return path;
    }

    /** Four upper-case hex digits, as in U+D83D. */
    static String hex(char c) {
        char[] digits = new char[4];
        for (int i = 0; i < 4; i++) {
            digits[i] = "0123456789ABCDEF".charAt((c >>> (12 - 4 * i)) & 0xF);
        }
        return new String(digits);
    }
}
