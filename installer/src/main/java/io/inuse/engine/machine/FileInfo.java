package io.inuse.engine.machine;

/**
 * What FILE_INFO answers of a path: its size, its SHA-256 as lower-case hex (null for a folder), and
 * its {@code FILE_ATTRIBUTE_*} bits as {@code GetFileInformationByHandle} gives them.
 */
public record FileInfo(long size, String sha256, long attributes) {
    public static final long FILE_ATTRIBUTE_READONLY = 0x1;
    public static final long FILE_ATTRIBUTE_DIRECTORY = 0x10;
    public static final long FILE_ATTRIBUTE_REPARSE_POINT = 0x400;

    public boolean folder() {
        return (attributes & FILE_ATTRIBUTE_DIRECTORY) != 0;
    }

    public boolean readOnly() {
        return (attributes & FILE_ATTRIBUTE_READONLY) != 0;
    }
}
