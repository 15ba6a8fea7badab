package io.inuse.engine.actions;

import io.inuse.engine.CustomAction;
import io.inuse.engine.detect.Target;
import io.inuse.engine.machine.Machine;
import io.inuse.engine.replace.FolderChecks;
import io.inuse.engine.replace.Journal;
import io.inuse.engine.replace.ProductFolder;
import io.inuse.engine.replace.Replacer;
import io.inuse.engine.replace.Undo;
import io.inuse.engine.session.Session;
import java.util.List;

/**
 * The rollback of the replace action (issue 15): a rollback custom action scheduled just before
 * it, so that Windows Installer runs it when the install fails or is cancelled after the replace
 * action started. It undoes the journal's last run ({@link Undo}) when that run is this install's:
 * it takes the run id ({@value Replace#RUN}) from CustomActionData, and nothing else.
 */
public final class ReplaceRollback implements CustomAction {
    private final Machine machine;
    private final ProductFolder folder;
    private final List<Target> targets;

    public ReplaceRollback(Machine machine, ProductFolder folder, List<Target> targets) {
        this.machine = machine;
        this.folder = folder;
        this.targets = List.copyOf(targets);
    }

    @Override
    public void run(Session session) throws Exception {
        String run;
        try {
            run = Replace.runId(session.customActionData());
        } catch (IllegalArgumentException e) {
            // without the detect action's run id, no run of this install can be told apart: nothing is undone
            session.log(e.getMessage().replace("nothing was changed", "nothing is undone"));
            return;
        }
        FolderChecks.check(machine, folder, targets, new Replace.SessionLog(session));
        Journal journal = Replace.readJournal(machine, folder);
        new Undo(machine, folder, session.property("ProductCode"), run, new Replace.SessionLog(session)).rollBack(journal);
    }
}
