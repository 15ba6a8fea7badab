package io.inuse.engine.replace;

import io.inuse.engine.detect.Target;
import io.inuse.engine.machine.Machine;
import io.inuse.engine.machine.WriteMode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The uninstall's act and its undo (issue 16), over the journal and the machine alone. Deferred, as
 * SYSTEM, before Windows Installer removes the staged files (RemoveFiles), so that the file in place
 * can be compared with the package's by hash. A journal run of kind {@code uninstall}:
 *
 * <ol>
 * <li>this product's own entries still pending from earlier runs (an install's queued replacement,
 * which would put this product's file back after it is gone) are superseded ({@link Reconcile});</li>
 * <li>per target, when the file in place is the package's (the same SHA-256 as the staged file): kept
 * for this run's rollback (SAVED), then the original put back from its backup (RESTORED), now, or at
 * the next reboot when held (QUEUED); a file this product put where nothing was is removed
 * (REMOVED; held: renamed aside and deleted at the next reboot);</li>
 * <li>a file in place that is not the package's (Windows Update or another product replaced it since) is
 * left as it is, and the log says why; so is the original already in place, and a target this product
 * never replaced. A file of another version the journal says this product put there (an earlier version,
 * whose replacement by this one was superseded before the reboot) counts as this product's; a target that
 * is not there gets the original back; a package copy that is gone stops the uninstall (nothing can be
 * told by hash, and nothing is changed);</li>
 * <li>COMPLETED.</li>
 * </ol>
 * The product's state (backup, journal) is removed only when the uninstall is committed ({@link Cleanup}).
 * {@link #undo} takes the run back when the uninstall fails after it: the queued entries cancelled, the
 * superseded ones queued again, the package's file put back from the SAVED copy.
 */
public final class Restore {
    /** What {@link #act} did: the journal as written, and per target how many were restored now, queued, left as they were. */
    public record Outcome(Journal journal, int now, int queued, int left) {
        public boolean rebootNeeded() {
            return queued > 0;
        }
    }

    private static final String PREFIX = "uninstall: ";

    private final Machine machine;
    private final ProductFolder folder;
    private final String productCode;
    private final String run;
    private final Replacer.Log log;

    public Restore(Machine machine, ProductFolder folder, String productCode, String run, Replacer.Log log) {
        if (!JournalEntry.isRunId(run)) {
            throw new IllegalArgumentException("the run id '" + run + "' is not 32 lower-case hex digits");
        }
        this.machine = machine;
        this.folder = folder;
        this.productCode = productCode;
        this.run = run;
        this.log = log;
    }

    /** Restores what this product replaced (see the class comment); the journal gains a BEGIN, the operations and COMPLETED. */
    public Outcome act(List<Target> targets, Journal before) {
        if (before.entries().isEmpty()) {
            log.line(PREFIX + "this product has no journal (it never replaced a file on this machine): nothing to restore");
            return new Outcome(before, 0, 0, 0);
        }
        Journal journal = write(before.append(JournalEntry.begin(productCode, JournalEntry.UNINSTALL, run, "the uninstall started")));
        List<String> paths = new ArrayList<>();
        for (Target target : targets) {
            paths.add(target.pathIn(machine.knownFolder(target.folder())));
        }
        journal = new Reconcile(machine, folder, productCode, log).supersede(paths, journal,
                "would put this product's file in place at the next boot, after the product is gone");
        int now = 0;
        int queued = 0;
        int left = 0;
        for (int i = 0; i < targets.size(); i++) {
            int lines = journal.entries().size();
            journal = restore(targets.get(i), paths.get(i), journal);
            List<JournalEntry> added = journal.entries().subList(lines, journal.entries().size());
            if (added.isEmpty()) {
                left++;
            } else if (added.get(added.size() - 1).op() == JournalEntry.Op.QUEUED) {
                queued++;
            } else {
                now++;
            }
        }
        journal = write(journal.append(JournalEntry.completed(productCode, now + " restored now, " + queued
                + " queued for the next reboot, " + left + " left as they were")));
        return new Outcome(journal, now, queued, left);
    }

    private Journal restore(Target target, String path, Journal journal) {
        JournalEntry backup = null;
        boolean installedWhereNothing = false;
        java.util.Set<String> putThere = new java.util.HashSet<>();
        for (Journal.Run r : journal.runs()) {
            // the versions the installs put there; an uninstall's own lines (its restore of the original) are not
            boolean install = r.kind().equals(JournalEntry.INSTALL);
            for (JournalEntry entry : r.entries()) {
                JournalEntry.Op op = entry.op();
                if (!op.fieldNames().contains("target") || !PendingRename.samePath(entry.field("target"), path)) {
                    continue;
                }
                if (op == JournalEntry.Op.BACKUP) {
                    backup = entry;
                }
                boolean move = op == JournalEntry.Op.REPLACED
                        || ((op == JournalEntry.Op.QUEUED || op == JournalEntry.Op.REQUEUED) && !entry.field("destination").isEmpty());
                if (install && move && !entry.field("to").equals(JournalEntry.NONE)) {
                    putThere.add(entry.field("to"));
                }
                installedWhereNothing |= install && op == JournalEntry.Op.REPLACED && JournalEntry.NONE.equals(entry.field("from"));
            }
        }
        if (putThere.isEmpty()) {
            log.line(PREFIX + path + ": this product never replaced it: left as it is");
            return journal;
        }
        Optional<String> inPlaceHash = hash(path);
        Optional<String> backupHash = backup == null ? Optional.empty() : hash(backup.field("backup"));
        if (inPlaceHash.isEmpty()) {
            if (backupHash.isEmpty()) {
                log.line(PREFIX + path + " is not there, and no original is kept: nothing to restore");
                return journal;
            }
            // nothing to lose: the original goes back where it was
            return putBack(PREFIX).restore(path, backup.field("backup"), backup.field("version"), JournalEntry.UNVERSIONED,
                    JournalEntry.restored(productCode, path, backup.field("backup"), backup.field("version"),
                            "the target is not there: the uninstall puts the original back"), journal);
        }
        if (backupHash.isPresent() && backupHash.equals(inPlaceHash)) {
            log.line(PREFIX + path + " holds the original (" + backup.field("version") + ") already: nothing to restore");
            return journal;
        }
        FileState inPlace = read(path);
        String ours = versionOrUnversioned(inPlace);
        String staged = folder.staged(target);
        Optional<String> stagedHash = hash(staged);
        if (stagedHash.isEmpty()) {
            throw new IllegalStateException(path + " (" + inPlace.describe() + "): whether it is this product's file cannot be told,"
                    + " because the package's copy " + staged + " is gone; nothing was changed. Repair the product (msiexec /fa"
                    + " <package>) to put that copy back, then uninstall again");
        }
        if (!stagedHash.equals(inPlaceHash)) {
            if (!putThere.contains(ours) || inPlace.kind() != FileState.Kind.PE) {
                log.line(PREFIX + path + " is " + inPlace.describe() + ", not the file this product put there (SHA-256 "
                        + inPlaceHash.get() + ", the package's " + stagedHash.get() + "): Windows Update or another product replaced"
                        + " it since, so it is left as it is and the original is not put back over it");
                return journal;
            }
            log.line(PREFIX + path + " holds " + ours + ", an earlier version of this product (the journal records that it put "
                    + ours + " there; a later replacement did not happen): it is this product's, and the original goes back");
        }
        if (backup != null) {
            if (backupHash.isEmpty()) {
                log.line(PREFIX + "the backup " + backup.field("backup") + " of the original is missing: " + path + " (" + ours
                        + ", this product's) is left as it is; repair or reinstall the program the original came with");
                return journal;
            }
            journal = save(target, path, inPlaceHash.get(), ours, journal);
            return putBack(PREFIX).restore(path, backup.field("backup"), backup.field("version"), ours,
                    JournalEntry.restored(productCode, path, backup.field("backup"), backup.field("version"),
                            "the uninstall puts the original back (at the next reboot, by the QUEUED line after this one, when held)"),
                    journal);
        }
        if (installedWhereNothing) {
            journal = save(target, path, inPlaceHash.get(), ours, journal);
            return putBack(PREFIX).remove(path, ours, JournalEntry.removed(productCode, path, ours,
                    "the install put it where nothing was (deleted at the next reboot, by the QUEUED line after this one, when held)"),
                    journal);
        }
        log.line(PREFIX + path + " (" + ours + ", this product's) is left as it is: the journal keeps no backup of the file it replaced");
        return journal;
    }

    /** The package's file in place kept for this run's rollback (SAVED), through a checked copy. */
    private Journal save(Target target, String path, String hash, String version, Journal journal) {
        FolderChecks.secureDown(machine, folder, folder.rollbackFolder(target), log);
        String copy = folder.rollbackCopy(target);
        Journal written = write(journal.append(JournalEntry.saved(productCode, path, copy, version,
                "the product's file, kept for the uninstall's rollback only")));
        String partial = copy + ".tmp";
        Disk.deleteIfThere(machine, partial);
        machine.copyFile(path, partial, true);
        if (!hash.equals(machine.fileInfo(partial).sha256())) {
            Disk.deleteIfThere(machine, partial);
            throw new IllegalStateException(path + " changed while it was being kept for the rollback: nothing of it was changed."
                    + " Run the uninstall again");
        }
        machine.moveFile(partial, copy, Machine.MOVEFILE_REPLACE_EXISTING | Machine.MOVEFILE_WRITE_THROUGH);
        return written;
    }

    /**
     * The rollback of this uninstall's run: newest first, QUEUED cancelled ({@link Undo}'s way), SUPERSEDED
     * queued again, RESTORED and REMOVED undone by putting the SAVED copy back (REPLACED), when the file in
     * place is still the one the step left there. Then ROLLED_BACK.
     */
    Journal undo(Journal.Run last, Journal journal) {
        List<JournalEntry> operations = new ArrayList<>();
        for (JournalEntry entry : last.entries()) {
            JournalEntry.Op op = entry.op();
            if (op == JournalEntry.Op.COMPLETED || op == JournalEntry.Op.CANCELLED || op == JournalEntry.Op.REQUEUED
                    || op == JournalEntry.Op.REPLACED || op == JournalEntry.Op.ROLLED_BACK) {
                break;
            }
            operations.add(entry);
        }
        Journal written = journal;
        Undo cancel = new Undo(machine, folder, productCode, run, log);
        for (int i = operations.size() - 1; i >= 0; i--) {
            JournalEntry op = operations.get(i);
            switch (op.op()) {
                case QUEUED -> written = cancel.cancel(op, written);
                case SUPERSEDED -> written = new Reconcile(machine, folder, productCode, log).requeue(op, journal, written);
                case RESTORED, REMOVED -> written = putOursBack(op, operations, written);
                default -> {
                    // BEGIN; SAVED stays until the uninstall's clean-up or the next run
                }
            }
        }
        return write(written.append(JournalEntry.rolledBack(productCode, "the uninstall was rolled back")));
    }

    private Journal putOursBack(JournalEntry step, List<JournalEntry> operations, Journal journal) {
        String target = step.field("target");
        JournalEntry saved = null;
        for (JournalEntry entry : operations) {
            if (entry.op() == JournalEntry.Op.SAVED && PendingRename.samePath(entry.field("target"), target)) {
                saved = entry;
            }
        }
        if (saved == null) {
            log.line("rollback: " + target + ": the uninstall put the original where nothing was; it stays");
            return journal;
        }
        Optional<String> savedHash = hash(saved.field("copy"));
        if (savedHash.isEmpty()) {
            log.line("rollback: " + target + " stays as it is: the uninstall's copy of this product's file is gone; repair the product");
            return journal;
        }
        Optional<String> inPlace = hash(target);
        if (savedHash.equals(inPlace)) {
            log.line("rollback: " + target + " holds this product's file already (the uninstall's step did not happen, or was undone)");
            return journal;
        }
        String version = saved.field("version");
        boolean restored = step.op() == JournalEntry.Op.RESTORED;
        if (restored ? !step.field("version").equals(versionOrUnversioned(read(target))) : inPlace.isPresent()) {
            log.line("rollback: " + target + " is " + read(target).describe() + ", not what the uninstall left there: left as it is");
            return journal;
        }
        String from = restored ? step.field("version") : JournalEntry.NONE;
        return putBack("rollback: ").restore(target, saved.field("copy"), version, restored ? from : JournalEntry.UNVERSIONED,
                JournalEntry.replaced(productCode, target, from, version, "the uninstall was rolled back: this product's file put back"),
                journal);
    }

    private PutBack putBack(String prefix) {
        return new PutBack(machine, folder, productCode, log, prefix, prefix.equals(PREFIX));
    }

    private FileState read(String path) {
        return Disk.state(machine, path);
    }

    private Optional<String> hash(String path) {
        return Disk.hash(machine, path);
    }

    private static String versionOrUnversioned(FileState state) {
        return state.kind() == FileState.Kind.PE && state.version() != null ? JournalEntry.versionText(state.version())
                : JournalEntry.UNVERSIONED;
    }

    private Journal write(Journal journal) {
        machine.writeFile(folder.journal(), journal.encode(), WriteMode.REPLACE);
        return journal;
    }
}
