package io.inuse.engine.replace;

import io.inuse.engine.machine.Machine;
import io.inuse.engine.machine.WriteMode;
import io.inuse.engine.session.SessionException;

/**
 * {@code INUSE_STRATEGY=renameaside} (issue 16): a held target is renamed aside on its volume (Windows
 * lets a loaded DLL be renamed, not overwritten), the new file moved into its place at once, and the
 * renamed file's deletion queued for the next reboot: processes started from now on load the new file,
 * those running keep the old one until they end. Journalled first: REPLACED (unless the attempt to
 * replace now wrote it already) and a QUEUED line for the delete, with its exact strings. The rollback
 * puts the kept file (backup or rollback copy) back over the new one and leaves the delete queued: the
 * renamed file is still loaded, and the boot removes it.
 */
final class RenameAside {
    /** The journal as written, and whether the new file is in place. */
    record Result(Journal journal, boolean done) {
    }

    private final Machine machine;
    private final ProductFolder folder;
    private final String productCode;
    private final Replacer.Log log;

    RenameAside(Machine machine, ProductFolder folder, String productCode, Replacer.Log log) {
        this.machine = machine;
        this.folder = folder;
        this.productCode = productCode;
        this.log = log;
    }

    /**
     * Puts the staged copy {@code temp} in place of the held target now. {@code readHash} is the SHA-256 the
     * facts read there; {@code from} and {@code to} the versions. Not done (the caller queues the replacement
     * for the reboot instead) when no delete may be queued or the rename is refused.
     */
    Result act(PlanFacts f, String temp, String readHash, String from, String to, boolean writeReplaced, Journal journal) {
        if (PendingEdit.appendProblem(machine).isPresent()) {
            return new Result(journal, false);
        }
        String aside = Disk.freeName(machine, f.path(), ".inuse-old-");
        Journal written = journal;
        if (writeReplaced) {
            written = write(written.append(JournalEntry.replaced(productCode, f.path(), from, to,
                    "held: renamed aside and replaced at once (INUSE_STRATEGY=renameaside)")));
        }
        written = write(written.append(JournalEntry.queued(productCode, f.path(), aside, PendingRename.NT_PREFIX + aside, "", from,
                JournalEntry.NONE, f.lockers(), "the held file, renamed aside so that the new one is in place at once; deleted at"
                        + " the next reboot, when nothing has it loaded any more")));
        String now = machine.fileInfo(f.path()).sha256();
        if (!now.equals(readHash)) {
            throw new IllegalStateException(f.path() + " changed since it was read (SHA-256 " + readHash + " then, " + now + " now): it"
                    + " was left as it is and nothing was put in place (the file changed while it was examined). Run the install again");
        }
        try {
            machine.moveFile(f.path(), aside, Machine.MOVEFILE_WRITE_THROUGH);
        } catch (SessionException e) {
            log.line(f.path() + " cannot be renamed aside (" + e.api() + " error " + e.win32Error() + "): it is replaced at the next"
                    + " reboot instead");
            return new Result(written, false);
        }
        try {
            machine.moveFile(temp, f.path(), Machine.MOVEFILE_WRITE_THROUGH);
        } catch (SessionException e) {
            // put the old file back under its name before anything else happens
            machine.moveFile(aside, f.path(), Machine.MOVEFILE_WRITE_THROUGH);
            throw e;
        }
        machine.moveFile(aside, null, Machine.MOVEFILE_DELAY_UNTIL_REBOOT);
        log.line("renamed the held " + f.path() + " (" + from + ") to " + aside + " and put " + to + " in its place at once: processes"
                + " started from now on load " + to + "; " + aside + " is deleted at the next reboot");
        return new Result(written, true);
    }

    private Journal write(Journal journal) {
        machine.writeFile(folder.journal(), journal.encode(), WriteMode.REPLACE);
        return journal;
    }
}
