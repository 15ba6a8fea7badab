package io.inuse.engine.replace;

import io.inuse.engine.detect.LockersProperty;
import io.inuse.engine.machine.Machine;
import io.inuse.engine.machine.WriteMode;
import io.inuse.engine.session.SessionException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Before a run changes anything: this product's own entries, queued by earlier runs and still
 * pending, that would undo the run at the next boot (an earlier version's replacement, which would
 * put the older file back over the one this run puts in place; an uninstall's queued restore, and the
 * deletes of the product's own state its clean-up queued) are removed from PendingFileRenameOperations, each journalled first (SUPERSEDED, with its exact
 * strings). Their temporary copies stay until the next run, so that this run's rollback can queue
 * them again ({@link #requeue}). Everyone else's entries are never touched.
 */
final class Reconcile {
    private final Machine machine;
    private final ProductFolder folder;
    private final String productCode;
    private final Replacer.Log log;

    Reconcile(Machine machine, ProductFolder folder, String productCode, Replacer.Log log) {
        this.machine = machine;
        this.folder = folder;
        this.productCode = productCode;
        this.log = log;
    }

    /**
     * Supersedes earlier runs' pending entries onto the targets at {@code paths}, and the deletes of this
     * product's own files and folders an uninstall queued ({@link Cleanup}); {@code why} says what each
     * would do at the next boot. The journal as written.
     */
    Journal supersede(List<String> paths, Journal journal, String why) {
        List<JournalEntry> earlier = new ArrayList<>();
        List<Journal.Run> runs = journal.runs();
        for (int r = 0; r < runs.size() - 1; r++) {
            earlier.addAll(runs.get(r).entries());
        }
        boolean queuedBefore = false;
        for (JournalEntry entry : earlier) {
            JournalEntry.Op op = entry.op();
            queuedBefore |= op == JournalEntry.Op.QUEUED || op == JournalEntry.Op.REQUEUED || op == JournalEntry.Op.SUPERSEDED;
        }
        if (!queuedBefore) {
            return journal;
        }
        // both values read once (two requests however long the journal), and again only after an edit
        List<PendingRenames> pending = PendingEdit.readBoth(machine);
        for (JournalEntry entry : earlier) {
            // copies kept for a rollback that did not come: their runs completed
            // (a superseded delete of the product's own file names that file, not a copy: it stays)
            if (entry.op() == JournalEntry.Op.SUPERSEDED && !entry.field("destination").isEmpty()
                    && !PendingEdit.isPending(pending, entry.field("source"), entry.field("destination"))) {
                deleteIfThere(entry.field("temp"));
            }
        }
        Journal written = journal;
        // the newest first: a temporary name is used again once its move happened, so the newest QUEUED line
        // with these strings is the one whose entry is pending
        for (int e = earlier.size() - 1; e >= 0; e--) {
            JournalEntry entry = earlier.get(e);
            if (!(entry.op() == JournalEntry.Op.QUEUED || entry.op() == JournalEntry.Op.REQUEUED)) {
                continue;
            }
            String source = entry.field("source");
            String destination = entry.field("destination");
            // a move onto a target; or a delete of the product's own state an uninstall queued (a queued delete of a
            // target's file renamed aside never names the target itself, and stays)
            boolean onto = !destination.isEmpty() && onto(entry.field("target"), paths);
            // (the shared inuse folder's delete too: the same strings may be another inuse product's, whose loss only
            // leaves an empty folder; left, it would be a stale entry once this install fills the folder again)
            boolean own = destination.isEmpty() && (folder.owns(entry.field("target"))
                    || PendingRename.samePath(entry.field("target"), folder.parent()));
            if ((!onto && !own) || !PendingEdit.isPending(pending, source, destination)) {
                continue;
            }
            String what = own ? "queued delete of " + entry.field("target") : "queued move of its " + entry.field("to");
            written = write(written.append(JournalEntry.superseded(productCode, entry.field("target"), entry.field("temp"), source,
                    destination, "an earlier run's " + what + " " + why)));
            for (String name : new String[] {PendingRenames.VALUE, PendingRenames.VALUE_2}) {
                String outcome = PendingEdit.remove(machine, name, source, destination, log, "");
                if (outcome != null) {
                    log.line(outcome);
                }
            }
            pending = PendingEdit.readBoth(machine);
            log.line("superseded an earlier run's pending " + source + " -> " + destination
                    + (own ? "" : " (" + entry.field("from") + " -> " + entry.field("to") + ")") + ": it " + why);
        }
        return written;
    }

    /**
     * The rollback of a SUPERSEDED: the earlier run's entry queued again, with its own QUEUED line (its
     * versions and lockers), when it is not pending and its temporary copy is still there.
     */
    Journal requeue(JournalEntry superseded, Journal journal, Journal written) {
        String source = superseded.field("source");
        String destination = superseded.field("destination");
        String temp = superseded.field("temp");
        if (PendingEdit.isPending(machine, source, destination)) {
            return written;
        }
        Optional<JournalEntry> queued = Optional.empty();
        for (JournalEntry entry : journal.entries()) {
            boolean line = entry.op() == JournalEntry.Op.QUEUED || entry.op() == JournalEntry.Op.REQUEUED;
            if (line && entry.field("source").equals(source) && entry.field("destination").equals(destination)) {
                queued = Optional.of(entry);
            }
        }
        Optional<String> damaged = PendingEdit.appendProblem(machine);
        if (queued.isEmpty() || !Disk.exists(machine, temp) || damaged.isPresent()) {
            log.line("rollback: the earlier run's " + source + " -> " + destination + " cannot be queued again: "
                    + (queued.isEmpty() ? "the journal has no QUEUED line for it" : !Disk.exists(machine, temp) ? "its copy " + temp + " is gone"
                    : damaged.get()) + "; install that version again to have it replaced");
            return written;
        }
        JournalEntry q = queued.get();
        Journal result = write(written.append(JournalEntry.requeued(productCode, q.field("target"), temp, source, destination, q.field("from"),
                q.field("to"), LockersProperty.decode(q.field("lockers")),
                "the earlier run's queued replacement, put back: the run that superseded it was rolled back")));
        boolean delete = destination.isEmpty();
        machine.moveFile(temp, delete ? null : q.field("target"), Machine.MOVEFILE_DELAY_UNTIL_REBOOT
                | (destination.startsWith("!") ? Machine.MOVEFILE_REPLACE_EXISTING : 0));
        log.line("rollback: queued again the earlier run's " + source + " -> " + destination);
        return result;
    }

    /**
     * Other software's pending moves onto the target (not this product's: their source is not one of its
     * temporary copies) are left as they are and named: Windows performs the entries in order, so ours,
     * appended after theirs, is the file in place after the reboot.
     */
    void nameForeignMovesOnto(String path) {
        String ours = path + ".inuse-";
        for (PendingRenames value : PendingEdit.readBoth(machine)) {
            for (PendingRename entry : value.entries()) {
                if (entry.destinationIs(path) && !entry.sourcePath().regionMatches(true, 0, ours, 0, ours.length())) {
                    log.line(value.valueName() + " already holds another program's move onto " + path + " (from "
                            + entry.sourcePath() + "): it is left as it is, and this product's is queued after it, so this"
                            + " product's file is the one in place after the reboot");
                }
            }
        }
    }

    private static boolean onto(String target, List<String> paths) {
        for (String path : paths) {
            if (PendingRename.samePath(target, path)) {
                return true;
            }
        }
        return false;
    }

    /** A leftover copy deleted; one that cannot be (held, say) is logged and left for the next run. */
    private void deleteIfThere(String path) {
        try {
            Disk.deleteIfThere(machine, path);
        } catch (SessionException e) {
            log.line(path + ", a copy kept for an earlier run's rollback, could not be deleted (" + e.api() + " error "
                    + e.win32Error() + "): left for the next run");
        }
    }

    private Journal write(Journal journal) {
        machine.writeFile(folder.journal(), journal.encode(), WriteMode.REPLACE);
        return journal;
    }
}
