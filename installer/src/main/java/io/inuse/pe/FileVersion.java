package io.inuse.pe;

/**
 * A Windows four-part version (major.minor.build.revision, each 0-65535), as stored in
 * VS_FIXEDFILEINFO and compared by Windows Installer's file versioning rules.
 */
public record FileVersion(int major, int minor, int build, int revision) implements Comparable<FileVersion> {
    public FileVersion {
        for (int part : new int[] {major, minor, build, revision}) {
            if (part < 0 || part > 0xFFFF) {
                throw new IllegalArgumentException("version part " + part + " is outside 0-65535");
            }
        }
    }

    /** From the two DWORDs of VS_FIXEDFILEINFO (dwFileVersionMS, dwFileVersionLS). */
    public static FileVersion fromDwords(int ms, int ls) {
        return new FileVersion(ms >>> 16, ms & 0xFFFF, ls >>> 16, ls & 0xFFFF);
    }

    /**
     * Parses "1.2", "1.2.3" or "1.2.3.4"; missing parts are 0. Anything else (a qualifier such as
     * "-SNAPSHOT", a part above 65535) is refused with a message that names the value.
     */
    public static FileVersion parse(String text) {
        String[] parts = text.trim().split("\\.", -1);
        if (parts.length < 2 || parts.length > 4) {
            throw new IllegalArgumentException("version '" + text + "' must have two to four numeric parts, such as 1.2.3");
        }
        int[] values = new int[4];
        for (int i = 0; i < parts.length; i++) {
            if (!parts[i].matches("[0-9]{1,5}") || Integer.parseInt(parts[i]) > 0xFFFF) {
                throw new IllegalArgumentException("version '" + text + "': part '" + parts[i]
                        + "' is not a number from 0 to 65535 (Windows versions have no qualifiers)");
            }
            values[i] = Integer.parseInt(parts[i]);
        }
        return new FileVersion(values[0], values[1], values[2], values[3]);
    }

    @Override
    public int compareTo(FileVersion other) {
        // plain comparisons, not a Comparator of method references: the replace action loads this
        // class, and each method reference costs an invokedynamic bootstrap
        int c = Integer.compare(major, other.major);
        c = c != 0 ? c : Integer.compare(minor, other.minor);
        c = c != 0 ? c : Integer.compare(build, other.build);
        return c != 0 ? c : Integer.compare(revision, other.revision);
    }

    @Override
    public String toString() {
        return major + "." + minor + "." + build + "." + revision;
    }
}
