package io.inuse.engine.replace;

import io.inuse.engine.machine.Machine;
import io.inuse.engine.session.SessionException;

/** The few file questions every step of the replacement asks through the broker, asked one way. */
final class Disk {
    private static final long ERROR_FILE_NOT_FOUND = 2;
    private static final long ERROR_PATH_NOT_FOUND = 3;

    private Disk() {
    }

    /** Windows' answer for a file or folder that is not there (2), or whose folder is not (3). */
    static boolean notFound(SessionException e) {
        return e.win32Error() == ERROR_FILE_NOT_FOUND || e.win32Error() == ERROR_PATH_NOT_FOUND;
    }

    /** Whether a file or folder is there (FILE_INFO); any other error than "not there" is thrown. */
    static boolean exists(Machine machine, String path) {
        try {
            machine.fileInfo(path);
            return true;
        } catch (SessionException e) {
            if (notFound(e)) {
                return false;
            }
            throw e;
        }
    }

    /** Deletes a file when it is there; any other error than "not there" is thrown. */
    static void deleteIfThere(Machine machine, String path) {
        try {
            machine.deleteFile(path);
        } catch (SessionException e) {
            if (!notFound(e)) {
                throw e;
            }
        }
    }
}
