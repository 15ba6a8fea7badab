package io.inuse.engine.actions;

import io.inuse.engine.CustomAction;
import io.inuse.engine.CustomActionData;
import io.inuse.engine.detect.Target;
import io.inuse.engine.machine.Machine;
import io.inuse.engine.replace.FolderChecks;
import io.inuse.engine.replace.Journal;
import io.inuse.engine.replace.ProductFolder;
import io.inuse.engine.replace.Replacer;
import io.inuse.engine.replace.Policy;
import io.inuse.engine.replace.RebootRecord;
import io.inuse.engine.replace.ServiceStop;
import io.inuse.engine.replace.Undo;
import io.inuse.engine.detect.Detector;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
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
        CustomActionData data;
        try {
            data = session.customActionData();
            run = Replace.runId(data);
        } catch (IllegalArgumentException e) {
            // without the detect action's run id, no run of this install can be told apart: nothing is undone
            session.log(e.getMessage().replace("nothing was changed", "nothing is undone"));
            return;
        }
        FolderChecks.check(machine, folder, targets, new Replace.SessionLog(session));
        Journal journal = Replace.readJournal(machine, folder);
        // INUSE_WHEN_LOCKED=stopservices: the services that hold a target now (the new file loaded) are stopped for the
        // undo and started again after it, as the replace action did
        ServiceStop services = new ServiceStop(machine, new Replace.SessionLog(session));
        List<String> stopped = List.of();
        if (replacedNow(journal, run) && stopServices(session, data)) {
            Optional<List<String>> order = services.stopOrder(new Detector(machine).detect(targets));
            if (order.isPresent() && !order.get().isEmpty() && services.stop(order.get())) {
                stopped = order.get();
            }
        }
        try {
            Journal written = new Undo(machine, folder, session.property("ProductCode"), run, new Replace.SessionLog(session)).rollBack(journal);
            RebootRecord.afterRollback(machine, folder.productId(), targets, written, run, new Replace.SessionLog(session));
        } finally {
            services.start(stopped);
        }
    }

    /** Whether the journal's last run is this install's, not rolled back, with a replacement to undo now (REPLACED). */
    private static boolean replacedNow(Journal journal, String run) {
        List<Journal.Run> runs = journal.runs();
        if (runs.isEmpty()) {
            return false;
        }
        Journal.Run last = runs.get(runs.size() - 1);
        if (!last.runId().equals(run) || last.rolledBack()) {
            return false;
        }
        for (io.inuse.engine.replace.JournalEntry entry : last.entries()) {
            if (entry.op() == io.inuse.engine.replace.JournalEntry.Op.REPLACED) {
                return true;
            }
        }
        return false;
    }

    /** Whether the install's policy (its CustomActionData, the policy key winning) is stopservices; a bad value: no. */
    private boolean stopServices(Session session, CustomActionData data) {
        Map<String, String> handed = new HashMap<>();
        handed.put(Policy.WHEN_LOCKED, data.get(Policy.WHEN_LOCKED).orElse(""));
        try {
            return Policy.resolve(Policy.source(machine, folder.productId(), handed, "the CustomActionData value")).whenLocked()
                    == Policy.WhenLocked.STOP_SERVICES;
        } catch (IllegalArgumentException e) {
            session.log("rollback: " + e.getMessage().replace("nothing was changed", "no service is stopped for the rollback"));
            return false;
        }
    }
}
