package io.inuse.maven;

import java.io.File;

/**
 * One DLL of the package, as a project configures it in the plugin's {@code <payloads>}: the file, and where it goes on
 * the target machine: a known folder (today {@code System}, the 64-bit System32), a path inside it and a name (by
 * default the file's own).
 */
public class Payload {
    /** The x64 DLL to install (with a version resource). */
    private File file;
    /** The known folder it goes into, as SHGetKnownFolderPath names it. */
    private String folder = "System";
    /** The path inside the folder ("" for the folder itself). */
    private String path = "";
    /** Its name there; by default the file's own name. */
    private String name;

    public File getFile() {
        return file;
    }

    public String getFolder() {
        return folder;
    }

    public String getPath() {
        return path;
    }

    public String getName() {
        return name;
    }
}
