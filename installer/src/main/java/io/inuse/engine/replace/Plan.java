package io.inuse.engine.replace;

import io.inuse.engine.detect.Detection;
import io.inuse.engine.detect.Detection.Verdict;
import io.inuse.engine.detect.Locker;
import io.inuse.engine.detect.Target;
import io.inuse.pe.FileVersion;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the replace action will do to each target, decided from {@link PlanFacts} before anything
 * changes: one {@link Decision} per target with a reason line for the log, whether to back the
 * file in place up first, whether the install must stop (a refusal: 1603, nothing changed), and
 * whether a reboot will be needed.
 *
 * <p>The rules, in this order (docs/journal.md has the table):
 * <ol>
 * <li>Refusals that do not depend on versions: Windows Resource Protection, a network path, a
 * staged file that is missing, unreadable, not a PE image or unversioned, a target whose file
 * appeared or vanished between the detection and the read, a target that cannot be read or is not
 * a PE image.</li>
 * <li>Nothing in place: INSTALL (now; nothing can hold it).</li>
 * <li>Versions, as Windows Installer's file versioning rules compare them: a higher FileVersion
 * wins, and a versioned file wins over an unversioned one. Newer in place: SKIP_NEWER (never a
 * downgrade, even when forced). Equal: SKIP_EQUAL, unless equal versions are forced. Older or
 * unversioned in place: replaced.</li>
 * <li>When: REPLACE_NOW when the exclusive open found it free; REPLACE_AT_REBOOT when it is locked,
 * and when the probe could not tell (UNKNOWN): the file may be loaded, so it is treated as held.</li>
 * <li>Backup: only when replacing a file that is not this product's own, and no backup exists yet.
 * The first backup is the original; it is never overwritten. A backup that exists but cannot be
 * read or is not a PE image is not taken for the original: a replacement is then refused
 * (BACKUP_DAMAGED).</li>
 * </ol>
 */
public final class Plan {
    /** One target's outcome. */
    public enum Decision {
        INSTALL("install", false),
        REPLACE_NOW("replace now", false),
        REPLACE_AT_REBOOT("replace at the next reboot", false),
        SKIP_NEWER("skip, a newer version is in place", false),
        SKIP_EQUAL("skip, the same version is in place", false),
        PROTECTED("refused, protected by Windows Resource Protection", true),
        REMOTE("refused, on a network drive or share", true),
        STAGED_MISSING("refused, the new file is missing", true),
        STAGED_UNREADABLE("refused, the new file cannot be read", true),
        STAGED_NOT_PE("refused, the new file is not a PE image", true),
        STAGED_UNVERSIONED("refused, the new file has no version", true),
        TARGET_CHANGED("refused, the file changed while it was examined", true),
        TARGET_UNREADABLE("refused, the file in place cannot be read", true),
        TARGET_NOT_PE("refused, the file in place is not a PE image", true),
        BACKUP_DAMAGED("refused, the backup of the original is damaged", true);

        private final String words;
        private final boolean refusal;

        Decision(String words, boolean refusal) {
            this.words = words;
            this.refusal = refusal;
        }

        /** True when the install must stop with 1603 before anything changes. */
        public boolean isRefusal() {
            return refusal;
        }

        /** True for REPLACE_NOW and REPLACE_AT_REBOOT. */
        public boolean replaces() {
            return this == REPLACE_NOW || this == REPLACE_AT_REBOOT;
        }

        /** For log lines: {@code "replace at the next reboot"}. */
        public String words() {
            return words;
        }
    }

    /**
     * The decision on one target.
     *
     * @param backUp true when the file in place is to be copied to the backup path before it is replaced
     * @param reason why, for the log; a refusal's reason ends with what to do
     */
    public record Step(PlanFacts facts, Decision decision, boolean backUp, String reason) {
        /** {@code [System]\MAPI32.DLL (C:\Windows\System32\MAPI32.DLL): replace now: <reason>} */
        public String logLine() {
            String line = facts.target() + " (" + facts.path() + "): " + decision.words() + ": " + reason;
            return decision.isRefusal() ? line + ". The install stops before anything changes" : line;
        }
    }

    private final List<Step> steps;

    private Plan(List<Step> steps) {
        this.steps = List.copyOf(steps);
    }

    /**
     * The plan for the package's targets.
     *
     * @param forceEqual true when an equal version in place is to be replaced too (never an older package file over a newer one)
     * @throws IllegalArgumentException when there is no target, or two targets have the same path
     */
    public static Plan decide(List<PlanFacts> targets, boolean forceEqual) {
        if (targets.isEmpty()) {
            throw new IllegalArgumentException("a replacement plan needs at least one target");
        }
        List<Step> steps = new ArrayList<>();
        for (int i = 0; i < targets.size(); i++) {
            PlanFacts facts = targets.get(i);
            for (int j = 0; j < i; j++) {
                if (targets.get(j).path().equalsIgnoreCase(facts.path())) {
                    throw new IllegalArgumentException("the targets " + targets.get(j).target() + " and " + facts.target()
                            + " are the same file " + facts.path() + ": each file may be a target once");
                }
            }
            steps.add(decide(facts, forceEqual));
        }
        return new Plan(steps);
    }

    /**
     * The refusals that need neither the staged file nor the file in place (Windows Resource Protection,
     * a network drive or share), for the detect action: it runs before RemoveExistingProducts, so a
     * refusal there ends the install before anything changes, an earlier version's removal included.
     * The log line when refused, as the replace action would write it; empty otherwise.
     */
    public static Optional<String> earlyRefusal(Target target, String path, boolean protectedByWrp,
            boolean remote) {
        FileState unknown = FileState.absent();
        PlanFacts f = new PlanFacts(target, path, unknown, path, unknown, remote, protectedByWrp,
                Detection.Verdict.ABSENT, List.of(), unknown, false);
        Step step = decide(f, false);
        boolean early = step.decision() == Decision.PROTECTED || step.decision() == Decision.REMOTE;
        return early ? Optional.of(step.logLine()) : Optional.empty();
    }

    /** The decision on one target. */
    public static Step decide(PlanFacts f, boolean forceEqual) {
        if (f.protectedByWrp()) {
            return refusal(f, Decision.PROTECTED, "Windows Resource Protection protects it (SfcIsFileProtected): only Windows"
                    + " servicing may replace it, and Windows Installer would skip it with a warning and report success."
                    + " To use the package's DLL, put it in the folder of the program that loads it (Windows searches"
                    + " there before System32), or ask that program's vendor");
        }
        String network = network(f);
        if (network != null) {
            return refusal(f, Decision.REMOTE, network + ": a replacement at the next reboot cannot reach it (MoveFileEx"
                    + " accepts the request, then the move at boot fails). Run the install on the machine whose disk holds the file");
        }
        Step staged = checkStaged(f);
        if (staged != null) {
            return staged;
        }
        if (f.existing().exists() != (f.verdict() != Verdict.ABSENT)) {
            return refusal(f, Decision.TARGET_CHANGED, "the detection found " + (f.existing().exists() ? "nothing there" : "a file there")
                    + ", then reading it found " + (f.existing().exists() ? "a file (" + f.existing().describe() + ")" : "nothing")
                    + ". Run the install again");
        }
        switch (f.existing().kind()) {
            case ABSENT:
                return new Step(f, Decision.INSTALL, false, "nothing is there: the package's " + f.staged().describe()
                        + " is put in place now; no backup, there is no original to keep");
            case UNREADABLE:
                return refusal(f, Decision.TARGET_UNREADABLE, "the file in place cannot be read (" + f.existing().problem()
                        + "), so its version is unknown, and inuse replaces no file whose version it does not know (it could be"
                        + " newer). Let Administrators and SYSTEM read it" + (f.lockers().isEmpty() ? "" : " or stop what holds it ("
                        + names(f.lockers()) + ")") + ", and run the install again");
            case NOT_PE:
                return refusal(f, Decision.TARGET_NOT_PE, "a file is there, but it is not a PE image (" + f.existing().problem()
                        + "), and inuse overwrites no file it cannot compare. Find out what it is; if it is a damaged copy of "
                        + f.target().name() + ", rename it (for example to " + f.target().name()
                        + ".damaged) and run the install again");
            default:
                return compare(f, forceEqual);
        }
    }

    private static Step checkStaged(PlanFacts f) {
        switch (f.staged().kind()) {
            case ABSENT:
                return refusal(f, Decision.STAGED_MISSING, "the package's new file is missing from its staging folder ("
                        + f.stagedPath() + "): Windows Installer did not put it there, or something removed it. Repair the"
                        + " product (msiexec /fa with the package) or reinstall it");
            case UNREADABLE:
                return refusal(f, Decision.STAGED_UNREADABLE, "the package's new file " + f.stagedPath() + " cannot be read ("
                        + f.staged().problem() + "). Check that Administrators and SYSTEM can read the staging folder, then"
                        + " repair the product (msiexec /fa with the package)");
            case NOT_PE:
                return refusal(f, Decision.STAGED_NOT_PE, "the package's new file " + f.stagedPath() + " is not a PE image ("
                        + f.staged().problem() + "): the staging folder holds something other than the package's DLL."
                        + " Reinstall the product from an intact copy of the package");
            default:
                if (f.staged().version() == null) {
                    return refusal(f, Decision.STAGED_UNVERSIONED, "the package's new file " + f.stagedPath() + " has no version"
                            + " resource, and inuse compares versions: it never puts an unversioned file in place. Build the"
                            + " package around a DLL with a VERSIONINFO resource (the build refuses one without: was the staging"
                            + " folder changed?)");
                }
                return null;
        }
    }

    private static Step compare(PlanFacts f, boolean forceEqual) {
        FileVersion to = f.staged().version();
        FileVersion from = f.existing().version();
        String whose = f.targetIsOurs() ? "this product's own" : "not this product's";
        String why;
        if (from == null) {
            why = "the file in place has no version resource, and the package's " + to + " has one: a versioned file wins"
                    + " over an unversioned one (Windows Installer's file versioning rules)";
        } else {
            int order = from.compareTo(to);
            if (order > 0) {
                return new Step(f, Decision.SKIP_NEWER, false, "the file in place, " + from + ", is newer than the package's "
                        + to + ": inuse never downgrades; left as it is");
            }
            if (order == 0 && !forceEqual) {
                return new Step(f, Decision.SKIP_EQUAL, false, "the file in place already is " + to + " (" + whose
                        + "): left as it is; an equal version is replaced only when forced");
            }
            why = order == 0 ? "the file in place already is " + to + " (" + whose + "), and equal versions are forced"
                    : "the file in place, " + from + ", is older than the package's " + to;
        }
        if (f.backup().kind() == FileState.Kind.UNREADABLE || f.backup().kind() == FileState.Kind.NOT_PE) {
            return refusal(f, Decision.BACKUP_DAMAGED, why + ", but the backup of the original in the product's folder (backup\\"
                    + f.target().folder().name() + (f.target().relative().isEmpty() ? "" : "\\" + f.target().relative()) + "\\"
                    + f.target().name() + ") is " + f.backup().describe() + ": it cannot be taken for the original, and rollback"
                    + " and uninstall would put it back. Replace it with a good copy of the original (" + f.target().name()
                    + " from the program or Windows it came with), or, to give up the original, move it out of the backup folder;"
                    + " then run the install again");
        }
        boolean free = f.verdict() == Verdict.FREE;
        boolean backUp = !f.targetIsOurs() && !f.backup().exists();
        return new Step(f, free ? Decision.REPLACE_NOW : Decision.REPLACE_AT_REBOOT, backUp,
                why + "; " + when(f) + "; " + backupNote(f, backUp));
    }

    private static String when(PlanFacts f) {
        String atReboot = ": a copy is put next to it and moved in place at the next reboot";
        switch (f.verdict()) {
            case FREE:
                return "nothing holds it: it is replaced now";
            case LOCKED:
                return "it is locked by " + (f.lockers().isEmpty() ? "a process that could not be named" : names(f.lockers())) + atReboot;
            default:
                return "whether anything holds it could not be told (the exclusive open did not answer"
                        + (f.lockers().isEmpty() ? "" : "; loaded by " + names(f.lockers())) + "), so it is treated as held"
                        + atReboot + ", never replaced under a program that may have it loaded";
        }
    }

    private static String backupNote(PlanFacts f, boolean backUp) {
        if (backUp) {
            return "the original (" + f.existing().describe() + ") is backed up first";
        }
        if (f.targetIsOurs()) {
            return "no backup, the file in place is this product's own"
                    + (f.backup().exists() ? " (the backup of the original, " + f.backup().describe() + ", is kept)" : "");
        }
        return "no backup, the backup of the original (" + f.backup().describe() + ") already exists and is never overwritten,"
                + " so the file in place (" + f.existing().describe() + ") is not kept";
    }

    /** Why the target's path is remote, or null when it is local: a UNC path, or what the broker reports. */
    private static String network(PlanFacts f) {
        String path = f.path().replace('/', '\\');
        boolean device = path.startsWith("\\\\?\\") || path.startsWith("\\\\.\\") || path.startsWith("\\??\\");
        boolean unc = device ? path.regionMatches(true, 4, "UNC\\", 0, 4) : path.startsWith("\\\\");
        if (unc) {
            return "it is on a network share (" + f.path() + " is a UNC path)";
        }
        return f.remote() ? "it is on a network drive" : null;
    }

    private static Step refusal(PlanFacts f, Decision decision, String reason) {
        return new Step(f, decision, false, reason);
    }

    private static String names(List<Locker> lockers) {
        StringBuilder text = new StringBuilder();
        for (Locker locker : lockers) {
            text.append(text.length() == 0 ? "" : ", ").append(locker.displayName());
        }
        return text.toString();
    }

    public List<Step> steps() {
        return steps;
    }

    /** True when at least one target is refused: the install stops with 1603 before anything changes. */
    public boolean refused() {
        for (Step step : steps) {
            if (step.decision().isRefusal()) {
                return true;
            }
        }
        return false;
    }

    /** One line per refused target, naming it, the reason and what to do; empty when nothing is refused. */
    public List<String> refusalLines() {
        List<String> lines = new ArrayList<>();
        for (Step step : steps) {
            if (step.decision().isRefusal()) {
                lines.add(step.logLine());
            }
        }
        return lines;
    }

    /** One line per target, in the targets' order. */
    public List<String> logLines() {
        List<String> lines = new ArrayList<>();
        for (Step step : steps) {
            lines.add(step.logLine());
        }
        return lines;
    }

    /**
     * True when the plan will queue a replacement for the next reboot (and nothing is refused).
     * The action ends with 3010 only when it really queued one: this is what the plan expects.
     */
    public boolean rebootNeeded() {
        if (refused()) {
            return false;
        }
        for (Step step : steps) {
            if (step.decision() == Decision.REPLACE_AT_REBOOT) {
                return true;
            }
        }
        return false;
    }
}
