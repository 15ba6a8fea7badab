package io.inuse.engine.actions;

import io.inuse.engine.CustomAction;
import io.inuse.engine.CustomActionData;
import io.inuse.engine.detect.Detection;
import io.inuse.engine.detect.Detector;
import io.inuse.engine.detect.Target;
import io.inuse.engine.machine.Machine;
import io.inuse.engine.replace.FolderChecks;
import io.inuse.engine.replace.Journal;
import io.inuse.engine.replace.JournalException;
import io.inuse.engine.replace.Plan;
import io.inuse.engine.replace.Policy;
import io.inuse.engine.replace.ProductFolder;
import io.inuse.engine.replace.Replacer;
import io.inuse.engine.replace.ServiceStop;
import io.inuse.engine.session.Session;
import io.inuse.engine.session.SessionException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The replace action (issue 15): deferred, no impersonation, after InstallFiles, when Windows
 * Installer has put the package's new files into the product's staging folder. It decides again
 * from what it trusts (the package's built-in targets, the files on disk, its own detection) and
 * takes from CustomActionData only {@value #FORCE_EQUAL} ({@code 1} or {@code 0}, docs/custom-action-data.md):
 * plan, then act ({@link Replacer}); a refusal ends the install with 1603 before anything changes,
 * one log line per refused target. The reboot request is not made here (Windows lets no deferred
 * action set a run mode): {@link RebootCheck}, after InstallFinalize, asks for it when an entry of
 * this product is really pending.
 */
public final class Replace implements CustomAction {
    /** CustomActionData key: "1" replaces an equal version in place too (never an older one). */
    public static final String FORCE_EQUAL = "INUSE_FORCE_EQUAL";
    /** CustomActionData key: the install's run id (Schedule), shared with the rollback action. */
    public static final String RUN = "INUSE_RUN";
    private static final long ERROR_FILE_TOO_LARGE = 223;
    private static final int FREE_WAIT_ROUNDS = 20;

    private final Machine machine;
    private final List<Target> targets;
    private final ProductFolder folder;

    public Replace(Machine machine, List<Target> targets, ProductFolder folder) {
        this.machine = machine;
        this.targets = List.copyOf(targets);
        this.folder = folder;
    }

    @Override
    public void run(Session session) throws Exception {
        CustomActionData data = session.customActionData();
        // the detect action's resolved values, checked again, under the policy key, read here again (trusted:
        // only administrators can write it); a policy value still wins
        Map<String, String> handed = new HashMap<>();
        handed.put(Policy.FORCE_EQUAL, data.get(FORCE_EQUAL).orElse(""));
        handed.put(Policy.WHEN_LOCKED, data.get(Policy.WHEN_LOCKED).orElse(""));
        handed.put(Policy.STRATEGY, data.get(Policy.STRATEGY).orElse(""));
        Policy policy = Policy.resolve(Policy.source(machine, folder.productId(), handed, "the CustomActionData value"));
        String run = runId(data);
        String productCode = session.property("ProductCode");
        FolderChecks.check(machine, folder, targets, new SessionLog(session));
        Journal journal = readJournal(machine, folder);
        List<Detection> detections = new Detector(machine).detect(targets);
        Replacer replacer = new Replacer(machine, folder, productCode, run, new SessionLog(session)).strategy(policy.strategy());
        Plan plan = Plan.decide(replacer.facts(detections, journal), policy.forceEqual());
        refuse(session, plan);
        if (plan.rebootNeeded() && policy.whenLocked() == Policy.WhenLocked.FAIL) {
            session.log("a target is held, and " + Policy.WHEN_LOCKED + " is fail (" + policy.origin() + "): the install stops"
                    + " before anything changes; close what holds it and run the install again");
            throw new IllegalStateException("a target is held and " + Policy.WHEN_LOCKED + "=fail; nothing was changed");
        }
        ServiceStop services = new ServiceStop(machine, new SessionLog(session));
        List<String> stopped = List.of();
        if (plan.rebootNeeded() && policy.whenLocked() == Policy.WhenLocked.STOP_SERVICES) {
            Optional<List<String>> order = services.stopOrder(detections);
            if (order.isPresent() && services.stop(order.get())) {
                stopped = order.get();
                // decided again with the services stopped: the file is free now (once their processes have ended: a
                // service reports STOPPED before its process exits), unless something else holds it too
                replacer = new Replacer(machine, folder, productCode, run, new SessionLog(session)).strategy(policy.strategy());
                plan = Plan.decide(replacer.facts(awaitFree(targets), journal), policy.forceEqual());
            }
        }
        try {
            refuse(session, plan);
            if (plan.rebootNeeded()) {
                Optional<String> damaged = replacer.pendingValueProblem();
                if (damaged.isPresent()) {
                    session.log(damaged.get() + ". So no replacement is queued and nothing was replaced: run the install again after that");
                    throw new IllegalStateException("a replacement at the next reboot cannot be queued; nothing was changed");
                }
            }
            Replacer.Outcome outcome = replacer.act(plan, journal);
            session.log(outcome.replacedNow() + " replaced now" + (outcome.renamedAside() > 0 ? " (" + outcome.renamedAside()
                    + " by renaming the held file aside, deleted at the next reboot)" : "") + (stopped.isEmpty() ? ""
                    : " (with " + stopped.size() + " service(s) stopped)") + ", " + outcome.queued() + " queued for the next reboot"
                    + (outcome.rebootNeeded() || outcome.renamedAside() > 0 ? ": InuseRebootCheck asks Windows Installer for the reboot (3010)" : ""));
        } finally {
            services.start(stopped);
        }
    }

    /** The detections once no target is held any more, or after {@value #FREE_WAIT_ROUNDS} rounds of half a second. */
    private List<Detection> awaitFree(List<Target> targets) throws InterruptedException {
        List<Detection> detections = new Detector(machine).detect(targets);
        for (int round = 0; round < FREE_WAIT_ROUNDS && anyLocked(detections); round++) {
            Thread.sleep(500);
            detections = new Detector(machine).detect(targets);
        }
        return detections;
    }

    private static boolean anyLocked(List<Detection> detections) {
        for (Detection d : detections) {
            if (d.verdict() == Detection.Verdict.LOCKED) {
                return true;
            }
        }
        return false;
    }

    /** A refused plan ends the action, one line per refused target, before anything changes. */
    private static void refuse(Session session, Plan plan) {
        if (plan.refused()) {
            for (String line : plan.refusalLines()) {
                session.log(line);
            }
            throw new IllegalStateException(plan.refusalLines().size() + " target(s) refused; nothing was changed");
        }
    }

    /** The run id from CustomActionData; IllegalArgumentException names what is wrong. */
    static String runId(CustomActionData data) {
        String run = data.get(RUN).orElse("");
        if (!io.inuse.engine.replace.JournalEntry.isRunId(run)) {
            throw new IllegalArgumentException(RUN + " in CustomActionData is '" + run + "', not a run id (32 lower-case hex digits):"
                    + " the detect action schedules this action with one; nothing was changed");
        }
        return run;
    }

    /** The product's journal; empty when there is none yet. A corrupt one stops the action: nothing is done over it. */
    static Journal readJournal(Machine machine, ProductFolder folder) throws JournalException {
        byte[] bytes;
        try {
            bytes = machine.readFile(folder.journal(), Machine.FILE_WRITE_MAX);
        } catch (SessionException e) {
            if (e.win32Error() == 2 || e.win32Error() == 3) {
                return Journal.empty();
            }
            if (e.win32Error() == ERROR_FILE_TOO_LARGE) {
                throw new IllegalStateException(folder.journal() + " is larger than the " + Machine.FILE_WRITE_MAX + " bytes a journal"
                        + " may hold (docs/journal.md, \"Its size\"): nothing was changed. Keep a copy of it, uninstall and reinstall"
                        + " the product to start a new one", e);
            }
            throw e;
        }
        return Journal.parse(folder.journal(), bytes);
    }

    /** Replacer's log lines into the session's log. A class, not a lambda (start-up path). */
    static final class SessionLog implements Replacer.Log {
        private final Session session;

        SessionLog(Session session) {
            this.session = session;
        }

        @Override
        public void line(String text) {
            session.log(text);
        }
    }
}
