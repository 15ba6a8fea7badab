package io.inuse.engine.actions;

import io.inuse.engine.CustomAction;
import io.inuse.engine.machine.Machine;
import io.inuse.engine.replace.Journal;
import io.inuse.engine.replace.ProductFolder;
import io.inuse.engine.replace.Undo;
import io.inuse.engine.session.Session;

/**
 * The rollback of the replace action (issue 15): a rollback custom action scheduled just before
 * it, so that Windows Installer runs it when the install fails or is cancelled after the replace
 * action started. It undoes the journal's last run ({@link Undo}) and nothing else; it reads no
 * CustomActionData.
 */
public final class ReplaceRollback implements CustomAction {
    private final Machine machine;
    private final ProductFolder folder;

    public ReplaceRollback(Machine machine, ProductFolder folder) {
        this.machine = machine;
        this.folder = folder;
    }

    @Override
    public void run(Session session) throws Exception {
        Journal journal = Replace.readJournal(machine, folder);
        new Undo(machine, folder, session.property("ProductCode"), new Replace.SessionLog(session)).rollBack(journal);
    }
}
