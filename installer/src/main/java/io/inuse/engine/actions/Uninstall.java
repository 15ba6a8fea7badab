package io.inuse.engine.actions;

import io.inuse.engine.CustomAction;
import io.inuse.engine.detect.Target;
import io.inuse.engine.machine.Machine;
import io.inuse.engine.replace.Cleanup;
import io.inuse.engine.replace.FolderChecks;
import io.inuse.engine.replace.Journal;
import io.inuse.engine.replace.ProductFolder;
import io.inuse.engine.replace.RebootRecord;
import io.inuse.engine.replace.Restore;
import io.inuse.engine.session.Session;
import java.util.List;

/**
 * The uninstall's actions (issue 16), over the package's built-in targets and the product's folder:
 * {@value Schedule#RESTORE} (deferred, as SYSTEM, before RemoveFiles) puts the originals back
 * ({@link Restore}); its rollback is {@link ReplaceRollback} under the name
 * {@value Schedule#RESTORE_ROLLBACK} (the journal's run says what to undo); {@value Schedule#CLEANUP}
 * (a commit action) removes the product's state once the uninstall is committed ({@link Cleanup}).
 * None runs when the removal is a major upgrade's (the detect action hands them nothing then, and
 * their conditions exclude UPGRADINGPRODUCTCODE): the new version takes the backup and the journal over.
 */
public final class Uninstall implements CustomAction {
    private final Machine machine;
    private final List<Target> targets;
    private final ProductFolder folder;
    private final boolean commit;

    /** @param commit true for the clean-up (the commit action), false for the restore */
    public Uninstall(Machine machine, List<Target> targets, ProductFolder folder, boolean commit) {
        this.machine = machine;
        this.targets = List.copyOf(targets);
        this.folder = folder;
        this.commit = commit;
    }

    @Override
    public void run(Session session) throws Exception {
        String run = Replace.runId(session.customActionData());
        Replace.SessionLog log = new Replace.SessionLog(session);
        FolderChecks.check(machine, folder, targets, log);
        Journal journal = Replace.readJournal(machine, folder);
        if (commit) {
            // a commit action may read no property but CustomActionData and UserSID: the run's own BEGIN line names the product
            new Cleanup(machine, folder, log).run(targets, journal, run);
            RebootRecord.removeAll(machine, folder.productId(), targets, log);
            return;
        }
        String productCode = session.property("ProductCode");
        Restore.Outcome outcome = new Restore(machine, folder, productCode, run, log).act(targets, journal);
        session.log(outcome.now() + " restored now, " + outcome.queued() + " queued for the next reboot, " + outcome.left()
                + " left as they were" + (outcome.rebootNeeded() ? ": InuseRebootCheck asks Windows Installer for the reboot (3010)" : ""));
    }
}
