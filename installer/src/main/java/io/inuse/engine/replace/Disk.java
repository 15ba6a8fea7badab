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

    /** The SHA-256 of a file; empty when it is not there. Any other error is thrown. */
    static java.util.Optional<String> hash(Machine machine, String path) {
        try {
            return java.util.Optional.ofNullable(machine.fileInfo(path).sha256());
        } catch (SessionException e) {
            if (notFound(e)) {
                return java.util.Optional.empty();
            }
            throw e;
        }
    }

    /** A file as the plan sees it: absent, unreadable (the API and error), or what the PE reader says. */
    static FileState state(Machine machine, String path) {
        try {
            return FileState.read(path, machine.readFile(path, Replacer.MAX_IMAGE_BYTES));
        } catch (SessionException e) {
            if (notFound(e)) {
                return FileState.absent();
            }
            return FileState.unreadable(e.api() + " error " + e.win32Error());
        }
    }

    /** How many numbered names beside a file {@link #freeName} tries. */
    static final int MAX_NAMES = 100;

    /**
     * A name {@code <path><infix><n>.tmp} beside a file that no file has, n from 1 (a name in use may be the
     * source of a move still pending); none free: an IllegalStateException naming the files to remove.
     */
    static String freeName(Machine machine, String path, String infix) {
        for (int n = 1; n <= MAX_NAMES; n++) {
            String name = path + infix + n + ".tmp";
            if (!exists(machine, name)) {
                return name;
            }
        }
        throw new IllegalStateException("no free name beside " + path + " (" + MAX_NAMES + " taken): remove the old " + path + infix
                + "*.tmp files after a reboot and run the install or uninstall again");
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
