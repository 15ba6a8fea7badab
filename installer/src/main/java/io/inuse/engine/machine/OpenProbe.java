package io.inuse.engine.machine;

/** The answer of an exclusive open (CreateFileW with no sharing): the judge of whether a file is held. */
public record OpenProbe(Result result, long win32Error) {
    public enum Result {
        /** opened (and closed at once): nobody holds the file */
        FREE,
        /** ERROR_SHARING_VIOLATION (32): somebody has it open or loaded */
        SHARING_VIOLATION,
        /** ERROR_ACCESS_DENIED (5): cannot tell; not proof of a holder */
        ACCESS_DENIED,
        /** ERROR_FILE_NOT_FOUND / ERROR_PATH_NOT_FOUND */
        NOT_FOUND,
        /** the path is a folder or a device, not a file */
        NOT_A_FILE,
        /** any other error, in win32Error */
        OTHER
    }
}
