package io.inuse.maven;

import java.io.File;

/**
 * One DLL of the package, as a project configures it in the plugin's {@code <payloads>}: the file, and where it goes on
 * the target machine: a known folder (System, the 64-bit System32, by default; Windows, ProgramFiles, ProgramFilesCommon,
 * ProgramData) and a path inside it. It keeps its file name there.
 */
public class Payload {
    /** The x64 DLL to install (with a version resource). */
    private File file;
    /** The known folder it goes into, as SHGetKnownFolderPath names it. */
    private String folder = "System";
    /** The path inside the folder ("" for the folder itself). */
    private String path = "";
    /** Its name there: only its own file name is taken today (another one is refused). */
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
