package io.inuse.engine.replace;

import io.inuse.engine.machine.Machine;
import io.inuse.engine.machine.WriteMode;
import io.inuse.engine.session.SessionException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The undo of the replace action (its rollback, issue 15): takes back, newest first, what the
 * journal's last run did, and nothing else. Every step checks the machine first, so a line whose
 * operation never happened (a crash after the line, a move that found the file held) undoes
 * nothing, and running the rollback again does no harm.
 *
 * <ul>
 * <li>QUEUED: this run's own entry is removed from PendingFileRenameOperations and
 * PendingFileRenameOperations2 (matched on its paths and {@code !}, whatever marker Windows put in
 * front; every other entry is kept byte for byte, the value deleted when nothing is left, and the
 * value read again right before it is written: when it changed, the edit starts over). A value
 * that cannot be edited (corrupt, or not REG_MULTI_SZ) is left as it is and said so; the temporary
 * file is deleted whatever happened, which makes the entry harmless (a boot-time move whose source
 * is gone does nothing).</li>
 * <li>REPLACED: when the file in place is ours (the version the line put there, other bytes than the
 * backup's), the backup is put back (RESTORED, then a temporary copy moved over it); when nothing
 * was there before, ours is deleted (REMOVED) with the install's temporary copy. When the target is
 * held, the restore is QUEUED for the next reboot, and a delete becomes a rename aside and the
 * renamed file's deletion QUEUED, each with its exact strings. A missing backup is logged and
 * skipped. A replaced file that was not the original (this product's own earlier version: an
 * upgrade) is put back from the run's rollback copy (SAVED), when there is one; without either,
 * ours stays, and the log says so.</li>
 * <li>BACKUP lines stay: the backup is the original's, kept for uninstall. The rollback copy stays
 * too: the next run replaces it.</li>
 * </ul>
 * Then ROLLED_BACK ends the run.
 */
public final class Undo {
    private final Machine machine;
    private final ProductFolder folder;
    private final String productCode;
    private final Replacer.Log log;
    private final String run;
    private final PutBack putBack;

    /** @param run the run id of the install this rollback belongs to: only a run it began is undone */
    public Undo(Machine machine, ProductFolder folder, String productCode, String run, Replacer.Log log) {
        this.run = run;
        this.machine = machine;
        this.folder = folder;
        this.productCode = productCode;
        this.log = log;
        this.putBack = new PutBack(machine, folder, productCode, log, "rollback: ", false);
    }

    /**
     * Undoes the journal's last run when this install began it (its run id and product code) and it was
     * not rolled back already; the journal as written. An install whose replace action failed or refused
     * before it began a run finds an earlier run last, and undoes nothing: that run is another install's.
     */
    public Journal rollBack(Journal journal) {
        List<Journal.Run> runs = journal.runs();
        Journal.Run last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
        if (last == null || !last.runId().equals(run) || !last.begin().productCode().equals(productCode)) {
            log.line("rollback: nothing of this install's to undo" + (last == null ? "" : ": the journal's last run (line " + last.line()
                    + ") is an earlier install's, and this one began none (its replace action stopped before it changed anything)"));
            return journal;
        }
        if (last.rolledBack()) {
            log.line("rollback: this install's run was rolled back already");
            return journal;
        }
        if (last.kind().equals(JournalEntry.UNINSTALL)) {
            return new Restore(machine, folder, productCode, run, log).undo(last, journal);
        }
        List<JournalEntry> operations = forward(last);
        Journal written = journal;
        for (int i = operations.size() - 1; i >= 0; i--) {
            JournalEntry op = operations.get(i);
            switch (op.op()) {
                case QUEUED -> written = cancel(op, written);
                case REPLACED -> written = undoReplaced(op, restoreSource(operations, journal, op), written);
                case SUPERSEDED -> written = new Reconcile(machine, folder, productCode, log).requeue(op, journal, written);
                default -> {
                    // BACKUP stays (the original, for uninstall); SAVED too (the next run's copy replaces it)
                }
            }
        }
        return write(written.append(JournalEntry.rolledBack(productCode, "the install was rolled back")));
    }

    /** The run's own operations: those before COMPLETED and before an undo step of an earlier, interrupted rollback. */
    private static List<JournalEntry> forward(Journal.Run run) {
        List<JournalEntry> operations = new ArrayList<>();
        for (JournalEntry entry : run.entries()) {
            JournalEntry.Op op = entry.op();
            if (op == JournalEntry.Op.COMPLETED || op == JournalEntry.Op.CANCELLED || op == JournalEntry.Op.RESTORED
                    || op == JournalEntry.Op.REMOVED || op == JournalEntry.Op.REQUEUED || op == JournalEntry.Op.ROLLED_BACK) {
                break;
            }
            operations.add(entry);
        }
        return operations;
    }

    Journal cancel(JournalEntry queued, Journal journal) {
        String source = queued.field("source");
        String destination = queued.field("destination");
        if (destination.isEmpty()) {
            // a delete of a file of ours renamed aside (renameaside, or a held file put back): still loaded, it is what
            // the boot removes; cancelling the delete would leave it behind for good
            String aside = queued.field("temp");
            if (PendingEdit.isPending(machine, source, destination) || !Disk.exists(machine, aside)) {
                log.line("rollback: the delete of " + aside + " at the next reboot stays queued (it was renamed aside"
                        + " while held; the boot removes it)");
                return journal;
            }
            // renamed aside, but its delete never reached the value (the run stopped in between): queued now, so that
            // the renamed file does not stay behind for good
            Optional<String> damaged = PendingEdit.appendProblem(machine);
            if (damaged.isPresent()) {
                log.line("rollback: " + aside + " was renamed aside and its delete could not be queued: " + damaged.get()
                        + "; delete it after a restart");
                return journal;
            }
            machine.moveFile(aside, null, Machine.MOVEFILE_DELAY_UNTIL_REBOOT);
            log.line("rollback: " + aside + " was renamed aside but its delete was not queued: queued now for the next reboot");
            return journal;
        }
        List<String> removed = new ArrayList<>();
        for (String name : new String[] {PendingRenames.VALUE, PendingRenames.VALUE_2}) {
            String outcome = PendingEdit.remove(machine, name, source, destination, log, "rollback: ");
            if (outcome != null) {
                log.line("rollback: " + outcome);
                if (outcome.startsWith("removed ")) {
                    removed.add(outcome);
                }
            }
        }
        deleteIfThere(queued.field("temp"));
        log.line("rollback: deleted " + queued.field("temp") + " (if it was there)");
        if (removed.isEmpty()) {
            log.line("rollback: no pending entry " + source + " -> " + destination + " was found to remove");
            return journal;
        }
        return write(journal.append(JournalEntry.cancelled(productCode, source, destination, String.join("; ", removed))));
    }

    private Journal undoReplaced(JournalEntry replaced, Optional<JournalEntry> backup, Journal journal) {
        String target = replaced.field("target");
        if (JournalEntry.NONE.equals(replaced.field("from"))) {
            deleteIfThere(Replacer.installTemp(target));
            return remove(replaced, journal);
        }
        if (backup.isEmpty()) {
            log.line("rollback: " + target + " stays as it is: the version it replaced (" + replaced.field("from") + ") was not"
                    + " kept (neither a backup of the original nor a rollback copy of this run); run the earlier package again to put it back");
            return journal;
        }
        boolean saved = backup.get().op() == JournalEntry.Op.SAVED;
        String backupPath = backup.get().field(saved ? "copy" : "backup");
        Optional<String> backupHash = hash(backupPath);
        if (backupHash.isEmpty()) {
            log.line("rollback: the backup " + backupPath + " is missing: " + target + " is left as it is; put the original"
                    + " back by hand (repair or reinstall the program it came with)");
            return journal;
        }
        FileState inPlace = read(target);
        if (!inPlace.exists()) {
            // a run cut short between renaming the held file aside (renameaside) and moving the new one in: nothing is
            // there to lose, and the kept copy goes back
            log.line("rollback: " + target + " is not there (the replacement was cut short): " + backupPath + " goes back");
        } else if (!replaced.field("to").equals(versionOf(inPlace)) || backupHash.equals(hash(target))) {
            log.line("rollback: " + target + " is " + inPlace.describe() + ", not the " + replaced.field("to") + " the install"
                    + " put there (the move did not happen, or it was undone already): nothing to restore");
            return journal;
        }
        return putBack.restore(target, backupPath, backup.get().field("version"), replaced.field("to"),
                JournalEntry.restored(productCode, target, backupPath, backup.get().field("version"),
                        (saved ? "the file this run replaced put back from its rollback copy" : "the original put back from its backup")
                                + " (at the next reboot, by the QUEUED line after this one, when held)"), journal);
    }

    /** A file the install put where nothing was: deleted when it is still ours (its version); held, renamed aside and that deleted at the next reboot. */
    private Journal remove(JournalEntry replaced, Journal journal) {
        String target = replaced.field("target");
        FileState inPlace = read(target);
        if (!inPlace.exists() || !replaced.field("to").equals(versionOf(inPlace))) {
            log.line("rollback: " + target + " is " + inPlace.describe() + ", not the " + replaced.field("to")
                    + " the install put where nothing was: left as it is");
            return journal;
        }
        // the same version is not enough: the file the install put there is a copy of the staged file, which Windows
        // Installer removes only after this rollback (InstallFiles came before the replace action)
        String staged = folder.stagedFor(target);
        Optional<String> stagedHash = hash(staged);
        if (stagedHash.isPresent() && !stagedHash.equals(hash(target))) {
            log.line("rollback: " + target + " is " + inPlace.describe() + ", but not the package's file (its bytes differ from "
                    + staged + "): someone else's, left as it is");
            return journal;
        }
        return putBack.remove(target, replaced.field("to"), JournalEntry.removed(productCode, target, replaced.field("to"),
                "the install put it where nothing was (deleted at the next reboot, by the QUEUED line after this one, when held)"), journal);
    }

    /**
     * The newest BACKUP of the target in the journal whose version is the one the replacement found in
     * place ("from"): that copy is the file to put back. A replacement of a file that is not the
     * backed-up one (an upgrade over this product's own earlier version) has none.
     */
    /**
     * What a REPLACED is undone from: the run's own rollback copy (SAVED) of the file it replaced, or else
     * the newest backup of the original (BACKUP) of that version.
     */
    private static Optional<JournalEntry> restoreSource(List<JournalEntry> run, Journal journal, JournalEntry replaced) {
        for (JournalEntry entry : run) {
            if (entry.op() == JournalEntry.Op.SAVED && PendingRename.samePath(entry.field("target"), replaced.field("target"))
                    && entry.field("version").equals(replaced.field("from"))) {
                return Optional.of(entry);
            }
        }
        return backupOf(journal, replaced);
    }

    private static Optional<JournalEntry> backupOf(Journal journal, JournalEntry replaced) {
        Optional<JournalEntry> found = Optional.empty();
        for (JournalEntry entry : journal.entries()) {
            if (entry.op() == JournalEntry.Op.BACKUP && PendingRename.samePath(entry.field("target"), replaced.field("target"))
                    && entry.field("version").equals(replaced.field("from"))) {
                found = Optional.of(entry);
            }
        }
        return found;
    }

    private FileState read(String path) {
        return Disk.state(machine, path);
    }

    /** A file state's version as a journal field has it; null when it is no PE image. */
    private static String versionOf(FileState state) {
        return state.kind() == FileState.Kind.PE ? JournalEntry.versionText(state.version()) : null;
    }

    private Optional<String> hash(String path) {
        return Disk.hash(machine, path);
    }

    /** Deletes a file; one that is not there is already done. Any other failure is logged, and the rollback goes on. */
    private void deleteIfThere(String path) {
        try {
            Disk.deleteIfThere(machine, path);
        } catch (SessionException e) {
            log.line("rollback: " + path + " could not be deleted (" + e.api() + " error " + e.win32Error()
                        + "); delete it by hand");
        }
    }

    private Journal write(Journal journal) {
        machine.writeFile(folder.journal(), journal.encode(), WriteMode.REPLACE);
        return journal;
    }
}
