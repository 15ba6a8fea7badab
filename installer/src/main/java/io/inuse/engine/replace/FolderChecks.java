package io.inuse.engine.replace;

import io.inuse.engine.detect.Target;
import io.inuse.engine.machine.Machine;
import io.inuse.engine.machine.SecureFolder;
import io.inuse.engine.session.SessionException;
import java.util.List;

/**
 * The product folder's trust (docs/journal.md, "Where it lives"): the folders Windows Installer made
 * (the product's folder and its staging folder) are checked with CHECK_INSTALLED; the folders the
 * engine makes (state, backup, rollback) are created admin-only or checked with SECURE_FOLDER.
 * Anything a user could change stops the action before anything there is read or written.
 */
public final class FolderChecks {
    private FolderChecks() {
    }

    /**
     * Before anything of the product's folder is read or written: the folder and its staging folder,
     * which Windows Installer made with Program Files' inherited DACL, must let nobody but
     * Administrators, SYSTEM and TrustedInstaller change them (users may read them); the state folder,
     * which holds the journal, is created admin-only or checked; so are the staged files (as files
     * Windows Installer made) and the backup and rollback folders that exist already. What is not there
     * is not checked (nothing in it is read); without the product's folder, no state folder is made.
     */
    public static void check(Machine machine, ProductFolder folder, List<Target> targets, Replacer.Log log) {
        boolean root = checkInstalled(machine, folder.root(), log);
        checkInstalled(machine, folder.staging(), log);
        for (Target target : targets) {
            checkInstalled(machine, folder.staged(target), log);
        }
        if (!root) {
            return;
        }
        secure(machine, folder.state(), log);
        // the engine's own folders, where they exist already: they are read before anything is made there
        for (Target target : targets) {
            for (String path : new String[] {folder.backupFolder(target), folder.rollbackFolder(target)}) {
                if (Disk.exists(machine, path)) {
                    secureDown(machine, folder, path, log);
                }
            }
        }
    }

    /**
     * CHECK_INSTALLED of a file or folder Windows Installer made; false when it is not there (a rollback may run
     * after Windows Installer removed it: then nothing of it is read).
     */
    private static boolean checkInstalled(Machine machine, String path, Replacer.Log log) {
        SecureFolder answer;
        try {
            answer = machine.checkInstalled(path);
        } catch (SessionException e) {
            if (Disk.notFound(e)) {
                return false;
            }
            throw e;
        }
        switch (answer.state()) {
            case CANNOT_ANSWER -> log.line(path + ": " + answer.reason() + "; used as it is (the platform keeps no DACL)");
            case NOT_SECURE -> throw new IllegalStateException(path + " may be changed by others than Administrators, SYSTEM and"
                    + " TrustedInstaller (" + answer.reason() + "; found " + answer.sddl() + "): nothing was read from it or changed."
                    + " Windows Installer made it under Program Files; give it back Program Files' permissions (or remove it and"
                    + " repair the product), then run the install again");
            default -> {
            }
        }
        return true;
    }

    /** Each folder from the product's folder down to {@code path}, created admin-only or checked (SECURE_FOLDER creates no parents). */
    static void secureDown(Machine machine, ProductFolder folder, String path, Replacer.Log log) {
        int at = folder.root().length();
        while (at < path.length()) {
            int next = path.indexOf('\\', at + 1);
            at = next < 0 ? path.length() : next;
            secure(machine, path.substring(0, at), log);
        }
    }

    /** SECURE_FOLDER: creates it admin-only, or checks it; anything a user could write stops the action. */
    static void secure(Machine machine, String path, Replacer.Log log) {
        SecureFolder answer = machine.secureFolder(path);
        switch (answer.state()) {
            case CREATED, EXISTED_SECURE -> {
            }
            case CANNOT_ANSWER -> log.line(path + ": " + answer.reason() + "; used as it is (the platform keeps no DACL)");
            case NOT_SECURE -> throw new IllegalStateException(path + " is not admin-only (" + answer.reason() + "; found "
                    + answer.sddl() + "): nothing was staged or written there; remove the folder or give it to Administrators and"
                    + " SYSTEM only, then run the install again");
        }
    }
}
