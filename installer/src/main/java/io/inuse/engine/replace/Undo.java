package io.inuse.engine.replace;

import io.inuse.engine.machine.Machine;
import io.inuse.engine.machine.RegRoot;
import io.inuse.engine.machine.RegValue;
import io.inuse.engine.machine.WriteMode;
import io.inuse.engine.session.SessionException;
import java.util.List;
import java.util.Optional;

/**
 * The undo of the replace action (its rollback, issue 15): takes back, newest first, what the
 * journal's last run did, and nothing else.
 *
 * <ul>
 * <li>QUEUED: this run's own entry is removed from PendingFileRenameOperations (matched by the exact
 * source and destination strings it wrote; every other entry is kept byte for byte, and the value is
 * deleted when nothing is left), then its temporary file is deleted. When the value cannot be
 * edited (corrupt, or not REG_MULTI_SZ), it is left as it is and said so; deleting the temporary file
 * still makes the entry harmless (a boot-time move whose source is gone does nothing).</li>
 * <li>REPLACED: the file it replaced is put back from its backup (a temporary copy beside the
 * target, moved over it), or, when there was no file before, ours is deleted; when the target is
 * held now, the same is queued for the next reboot. A replaced file that was this product's own
 * earlier version has no backup (only the original is kept): ours stays, and the log says so.</li>
 * <li>BACKUP lines stay: the backup is the original's, kept for uninstall.</li>
 * </ul>
 * Each undo is journalled (CANCELLED, RESTORED, REMOVED), then ROLLED_BACK ends the run.
 */
public final class Undo {
    private static final long ERROR_FILE_NOT_FOUND = 2;
    private static final long ERROR_SHARING_VIOLATION = 32;
    private static final long ERROR_ACCESS_DENIED = 5;
    private static final int REG_MULTI_SZ = RegValue.REG_MULTI_SZ;

    private final Machine machine;
    private final ProductFolder folder;
    private final String productCode;
    private final Replacer.Log log;

    public Undo(Machine machine, ProductFolder folder, String productCode, Replacer.Log log) {
        this.machine = machine;
        this.folder = folder;
        this.productCode = productCode;
        this.log = log;
    }

    /** Undoes the journal's last run, unless it was rolled back already; the journal as written. */
    public Journal rollBack(Journal journal) {
        List<Journal.Run> runs = journal.runs();
        if (runs.isEmpty() || runs.get(runs.size() - 1).rolledBack()) {
            log.line("rollback: nothing of this product's to undo");
            return journal;
        }
        List<JournalEntry> operations = runs.get(runs.size() - 1).operations();
        Journal written = journal;
        for (int i = operations.size() - 1; i >= 0; i--) {
            JournalEntry op = operations.get(i);
            switch (op.op()) {
                case QUEUED -> written = cancel(op, written);
                case REPLACED -> written = restore(op, backupOf(journal, op), written);
                default -> {
                    // BACKUP stays (the original, for uninstall); markers are not operations
                }
            }
        }
        return write(written.append(JournalEntry.rolledBack(productCode, "the install was rolled back")));
    }

    private Journal cancel(JournalEntry queued, Journal journal) {
        String source = queued.field("source");
        String destination = queued.field("destination");
        String outcome = removeEntry(source, destination);
        deleteIfThere(queued.field("temp"));
        log.line("rollback: " + outcome + "; deleted " + queued.field("temp"));
        return write(journal.append(JournalEntry.cancelled(productCode, source, destination, outcome)));
    }

    /** Removes one entry of ours from whichever value holds it; what was done, in words. */
    private String removeEntry(String source, String destination) {
        for (String name : new String[] {PendingRenames.VALUE, PendingRenames.VALUE_2}) {
            Optional<RegValue> value = machine.regRead(RegRoot.HKLM, PendingRenames.KEY, name);
            if (value.isEmpty()) {
                continue;
            }
            if (value.get().type() != REG_MULTI_SZ) {
                return name + " is not REG_MULTI_SZ (type " + value.get().type() + "): left as it is";
            }
            PendingRenames decoded;
            try {
                decoded = PendingRenames.decode(name, value.get().data());
            } catch (PendingRenamesException e) {
                return e.getMessage();
            }
            PendingRenames without = decoded.withoutEntries(e -> e.sourceText().equals(source) && e.destinationText().equals(destination));
            if (!without.isChanged()) {
                continue;
            }
            if (without.isEmpty()) {
                machine.regDeleteValue(RegRoot.HKLM, PendingRenames.KEY, name);
            } else {
                machine.regWrite(RegRoot.HKLM, PendingRenames.KEY, name, new RegValue(REG_MULTI_SZ, without.encode()));
            }
            return "removed " + source + " -> " + destination + " from " + name;
        }
        return "no pending entry " + source + " -> " + destination + " any more";
    }

    private Journal restore(JournalEntry replaced, Optional<JournalEntry> backup, Journal journal) {
        String target = replaced.field("target");
        if (backup.isPresent()) {
            String temp = target + ".inuse-restore.tmp";
            deleteIfThere(temp);
            machine.copyFile(backup.get().field("backup"), temp, true);
            String how = putInPlace(temp, target);
            log.line("rollback: " + how + " " + target + " from " + backup.get().field("backup"));
            return write(journal.append(JournalEntry.restored(productCode, target, backup.get().field("backup"),
                    backup.get().field("version"), how)));
        }
        if (JournalEntry.NONE.equals(replaced.field("from"))) {
            String how;
            try {
                machine.deleteFile(target);
                how = "deleted";
            } catch (SessionException e) {
                if (e.win32Error() != ERROR_SHARING_VIOLATION && e.win32Error() != ERROR_ACCESS_DENIED) {
                    throw e;
                }
                machine.moveFile(target, null, Machine.MOVEFILE_DELAY_UNTIL_REBOOT);
                how = "queued for deletion at the next reboot (it is held)";
            }
            log.line("rollback: " + target + ", which the install put where nothing was, " + how);
            return write(journal.append(JournalEntry.removed(productCode, target, replaced.field("to"), how)));
        }
        log.line("rollback: " + target + " stays " + replaced.field("to") + ": the version it replaced (" + replaced.field("from")
                + ") was this product's own and is not kept (only the original is); run the earlier package again to put it back");
        return journal;
    }

    /** Moves the temporary copy over the target now, or at the next reboot when the target is held: what was done. */
    private String putInPlace(String temp, String target) {
        try {
            machine.moveFile(temp, target, Machine.MOVEFILE_REPLACE_EXISTING | Machine.MOVEFILE_WRITE_THROUGH);
            return "restored";
        } catch (SessionException e) {
            if (e.win32Error() != ERROR_SHARING_VIOLATION && e.win32Error() != ERROR_ACCESS_DENIED) {
                throw e;
            }
            machine.moveFile(temp, target, Machine.MOVEFILE_DELAY_UNTIL_REBOOT | Machine.MOVEFILE_REPLACE_EXISTING);
            return "queued the restore at the next reboot (it is held) of";
        }
    }

    /**
     * The newest BACKUP of the target in the journal whose version is the one the replacement found in
     * place ("from"): that copy is the file to put back. A replacement of a file that is not the
     * backed-up one (an upgrade over this product's own earlier version) has none.
     */
    private static Optional<JournalEntry> backupOf(Journal journal, JournalEntry replaced) {
        Optional<JournalEntry> found = Optional.empty();
        for (JournalEntry entry : journal.entries()) {
            if (entry.op() == JournalEntry.Op.BACKUP && entry.field("target").equalsIgnoreCase(replaced.field("target"))
                    && entry.field("version").equals(replaced.field("from"))) {
                found = Optional.of(entry);
            }
        }
        return found;
    }

    private void deleteIfThere(String path) {
        try {
            machine.deleteFile(path);
        } catch (SessionException e) {
            if (e.win32Error() != ERROR_FILE_NOT_FOUND) {
                throw e;
            }
        }
    }

    private Journal write(Journal journal) {
        machine.writeFile(folder.journal(), journal.encode(), WriteMode.REPLACE);
        return journal;
    }
}
