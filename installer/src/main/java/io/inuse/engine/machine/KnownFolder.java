package io.inuse.engine.machine;

/**
 * The known folders a target may live in, named as Windows names them ({@code FOLDERID_System}
 * and so on). The broker maps each name to its GUID; nothing else can be asked for.
 */
public enum KnownFolder {
    System, SystemX86, Windows, ProgramFiles, ProgramFilesX86, ProgramFilesCommon, ProgramData;

    /** The folder of that name, or an IllegalArgumentException naming the known ones. */
    public static KnownFolder named(String name) {
        for (KnownFolder f : values()) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        StringBuilder known = new StringBuilder();
        for (KnownFolder f : values()) {
            known.append(known.length() == 0 ? "" : ", ").append(f.name());
        }
        throw new IllegalArgumentException("'" + name + "' is not a known folder of inuse: use one of " + known);
    }
}
