package io.inuse.engine.machine;

/**
 * What a path names: its long path as Windows resolves it, and the file's identity on its volume
 * (GetFileInformationByHandle: volume serial number and 64-bit file index). Two paths name the
 * same file exactly when their identities are equal.
 */
public record FileIdentity(String longPath, long volumeSerial, long fileIndex) {
    public boolean sameFileAs(FileIdentity other) {
        return other != null && volumeSerial == other.volumeSerial && fileIndex == other.fileIndex;
    }
}
