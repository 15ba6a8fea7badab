package io.inuse.engine.replace;

import io.inuse.engine.detect.Target;
import io.inuse.engine.machine.Machine;
import io.inuse.engine.machine.WriteMode;
import io.inuse.engine.session.SessionException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The uninstall's clean-up (issue 16), once Windows Installer has committed it (a commit custom
 * action: no rollback can come any more): the product's own files and folders go, so that nothing of
 * it is left on the machine. The copies only a rollback needed (SAVED, a superseded entry's copy) are
 * deleted at once. The backups and the journal are deleted at once too when nothing of this uninstall
 * is pending; when its restore is queued for the next reboot, their deletes are queued after it (each
 * journalled first, QUEUED), because an install before that reboot needs both: it finds the queued
 * restore and the queued deletes through the journal and supersedes them ({@link Reconcile}). Then the
 * folders, deepest first, now or at the reboot, and the {@code inuse} folder above, which the boot (or the
 * removal now) takes only when it is empty: other inuse products share it. A copy that is the source of a pending move is never deleted.
 * When a target does not hold the original and the uninstall did not restore it (someone else's file is
 * there), the backups and the journal stay, and the log says where: nothing is lost. Nothing here stops
 * the uninstall (the commit action's failure is ignored): what cannot be done is logged.
 */
public final class Cleanup {
    private static final long ERROR_DIR_NOT_EMPTY = 145;
    private static final String PREFIX = "clean-up: ";

    private final Machine machine;
    private final ProductFolder folder;
    private final Replacer.Log log;

    public Cleanup(Machine machine, ProductFolder folder, Replacer.Log log) {
        this.machine = machine;
        this.folder = folder;
        this.log = log;
    }

    /** Removes the product's state; {@code run} is the uninstall's run id: a journal whose last run is another's is left alone. */
    public void run(List<Target> targets, Journal journal, String run) {
        List<Journal.Run> runs = journal.runs();
        Journal.Run last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
        if (last != null && (!last.runId().equals(run) || !last.kind().equals(JournalEntry.UNINSTALL) || !last.completed()
                || last.rolledBack())) {
            log.line(PREFIX + "the journal's last run (line " + last.line() + ") is not this uninstall's, completed: the product's"
                    + " state in " + folder.root() + " is left as it is");
            return;
        }
        Set<String> copies = new LinkedHashSet<>();
        Set<String> kept = new LinkedHashSet<>();
        List<PendingRenames> values = PendingEdit.readBoth(machine);
        Set<String> sources = new java.util.HashSet<>();
        for (PendingRenames value : values) {
            for (PendingRename entry : value.entries()) {
                sources.add(entry.sourcePath().toLowerCase(java.util.Locale.ROOT));
            }
        }
        for (JournalEntry entry : journal.entries()) {
            switch (entry.op()) {
                case BACKUP -> kept.add(entry.field("backup"));
                case SAVED -> copies.add(entry.field("copy"));
                case SUPERSEDED -> {
                    if (!entry.field("destination").isEmpty()) {
                        copies.add(entry.field("temp"));
                    }
                }
                default -> {
                }
            }
        }
        boolean pending = false;
        if (last != null) {
            for (JournalEntry entry : last.entries()) {
                pending |= entry.op() == JournalEntry.Op.QUEUED && !entry.field("destination").isEmpty()
                        && PendingEdit.isPending(values, entry.field("source"), entry.field("destination"));
            }
        }
        for (String copy : copies) {
            // a copy that is the source of a pending move (a restore queued with it) is what the boot needs
            if (!sources.contains(copy.toLowerCase(java.util.Locale.ROOT))) {
                delete(copy);
            }
            delete(copy + ".tmp");
        }
        for (String backup : kept) {
            delete(backup + ".tmp");
        }
        Optional<String> left = originalNotBack(journal, last);
        if (left.isPresent()) {
            log.line(PREFIX + left.get() + ": the original's backup stays in " + folder.backups() + " (with the journal), so that"
                    + " nothing is lost; copy it back by hand if it is needed, then delete " + folder.root());
            return;
        }
        List<String> folders = folders(targets);
        if (!pending) {
            for (String backup : kept) {
                delete(backup);
            }
            delete(folder.journal());
            for (String path : folders) {
                removeFolder(path);
            }
            removeFolder(folder.parent());
            log.line(PREFIX + "the product's backups, journal and folders are removed (" + folder.root() + ")");
            return;
        }
        // the restore waits for the reboot: the backups and the journal stay until then, for an install before it
        Journal written = journal;
        String productCode = last.begin().productCode();
        for (String backup : kept) {
            written = queueDelete(productCode, backup, written);
        }
        written = queueDelete(productCode, folder.journal(), written);
        for (String path : folders) {
            if (path.startsWith(folder.root() + "\\rollback")) {
                removeFolder(path);
            } else {
                written = queueDelete(productCode, path, written);
            }
        }
        // the shared inuse folder too, last: the boot removes it only when it is empty
        written = queueDelete(productCode, folder.parent(), written);
        log.line(PREFIX + "the restore waits for the next reboot: the product's backups, journal and folders are deleted"
                + " after it, at that reboot (an install before then takes them over)");
    }

    /**
     * Why the original is not back on some target the journal has a backup for, if it is not: the uninstall
     * neither restored nor removed it (someone else's file is there, say), and the file in place is not the backup.
     */
    private Optional<String> originalNotBack(Journal journal, Journal.Run last) {
        for (JournalEntry backup : journal.entries()) {
            if (backup.op() != JournalEntry.Op.BACKUP) {
                continue;
            }
            String target = backup.field("target");
            boolean handled = false;
            if (last != null) {
                for (JournalEntry entry : last.entries()) {
                    JournalEntry.Op op = entry.op();
                    handled |= (op == JournalEntry.Op.RESTORED || op == JournalEntry.Op.REMOVED)
                            && PendingRename.samePath(entry.field("target"), target);
                }
            }
            if (!handled && !sameBytes(target, backup.field("backup"))) {
                return Optional.of(target + " does not hold the original (" + backup.field("version") + ")");
            }
        }
        return Optional.empty();
    }

    private boolean sameBytes(String a, String b) {
        Optional<String> hash = Disk.hash(machine, a);
        return hash.isPresent() && hash.equals(Disk.hash(machine, b));
    }

    /** The product's folders, deepest first: rollback and backup folders of each target, state, staging, the product's. */
    private List<String> folders(List<Target> targets) {
        Set<String> folders = new LinkedHashSet<>();
        for (Target target : targets) {
            for (String deepest : new String[] {folder.rollbackFolder(target), folder.backupFolder(target)}) {
                String path = deepest;
                while (path.length() > folder.root().length()) {
                    folders.add(path);
                    path = path.substring(0, path.lastIndexOf('\\'));
                }
            }
        }
        List<String> ordered = new ArrayList<>(folders);
        ordered.sort(new DeepestFirst());
        ordered.add(folder.state());
        ordered.add(folder.staging());
        ordered.add(folder.root());
        return ordered;
    }

    /** Longer paths first: a folder before the folder that holds it. A class, not a lambda (start-up path). */
    private static final class DeepestFirst implements java.util.Comparator<String> {
        @Override
        public int compare(String a, String b) {
            return Integer.compare(b.length(), a.length());
        }
    }

    /** A delete at the next reboot of something there now, journalled first (QUEUED, its exact strings). */
    private Journal queueDelete(String productCode, String path, Journal journal) {
        if (!Disk.exists(machine, path)) {
            return journal;
        }
        Journal written = journal.append(JournalEntry.queued(productCode, path, path, PendingRename.NT_PREFIX + path, "",
                JournalEntry.UNVERSIONED, JournalEntry.NONE, List.of(), "the product's own state, deleted at the reboot that"
                        + " restores the original (an install before then supersedes this)"));
        machine.writeFile(folder.journal(), written.encode(), WriteMode.REPLACE);
        try {
            machine.moveFile(path, null, Machine.MOVEFILE_DELAY_UNTIL_REBOOT);
        } catch (SessionException e) {
            log.line(PREFIX + path + " could not be queued for deletion (" + e.api() + " error " + e.win32Error() + "): delete it by hand");
        }
        return written;
    }

    private void delete(String path) {
        try {
            Disk.deleteIfThere(machine, path);
        } catch (SessionException e) {
            log.line(PREFIX + path + " could not be deleted (" + e.api() + " error " + e.win32Error() + "): delete it by hand");
        }
    }

    private void removeFolder(String path) {
        try {
            machine.removeFolder(path);
        } catch (SessionException e) {
            if (Disk.notFound(e)) {
                return;
            }
            log.line(PREFIX + path + (e.win32Error() == ERROR_DIR_NOT_EMPTY ? " is not empty: left" : " could not be removed ("
                    + e.api() + " error " + e.win32Error() + ")"));
        }
    }
}
