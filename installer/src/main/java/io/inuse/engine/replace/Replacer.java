package io.inuse.engine.replace;

import io.inuse.engine.detect.Detection;
import io.inuse.engine.machine.Machine;
import io.inuse.engine.machine.SecureFolder;
import io.inuse.engine.machine.WriteMode;
import io.inuse.engine.session.SessionException;
import java.util.ArrayList;
import java.util.List;

/**
 * Gathers the facts of the targets and carries out a {@link Plan} over {@link Machine} alone: the
 * "plan" and "act" of the deferred replace action (issue 15). Every operation is written to the
 * journal before it is made (docs/journal.md), so that rollback and uninstall undo exactly what was
 * done.
 *
 * <ul>
 * <li>The product's folder and the backup folders are checked (SECURE_FOLDER) before anything is read
 * from or written there; one that is not admin-only stops the action (an
 * {@link IllegalStateException} naming the folder and what was found). Wine cannot answer (it keeps
 * no DACL): that is logged and accepted, as the broker does for the runtime.</li>
 * <li>Backup: the file in place is copied into the backup folder (never over an existing backup),
 * when the plan says so.</li>
 * <li>INSTALL and REPLACE_NOW: the staged file is copied beside the target under a new temporary name
 * ({@code <name>.inuse-<n>.tmp}), then moved over it with {@code MOVEFILE_REPLACE_EXISTING |
 * MOVEFILE_WRITE_THROUGH}: the target is the old file or the new one, never half of one. When the
 * move meets a sharing violation (a process loaded the file since the detection), the step goes to
 * the reboot path.</li>
 * <li>REPLACE_AT_REBOOT: the same copy (a boot-time move cannot cross volumes), then
 * {@code MoveFileExW(tmp, target, MOVEFILE_DELAY_UNTIL_REBOOT | MOVEFILE_REPLACE_EXISTING)}, which
 * writes {@code \??\tmp} and {@code !\??\target} into PendingFileRenameOperations; the journal's
 * QUEUED line records those exact strings and the lockers that forced it.</li>
 * </ul>
 */
public final class Replacer {
    /** The largest target or staged file the plan reads (the PE reader needs the whole image). */
    static final int MAX_IMAGE_BYTES = Machine.FILE_READ_MAX;
    private static final long ERROR_FILE_NOT_FOUND = 2;
    private static final long ERROR_PATH_NOT_FOUND = 3;
    private static final long ERROR_SHARING_VIOLATION = 32;
    private static final long ERROR_FILE_EXISTS = 80;
    private static final int MAX_TEMP_NAMES = 100;

    /** Where the log lines go: the action's session log. */
    public interface Log {
        void line(String text);
    }

    /** What {@link #act} did: the journal as written, and how many targets were replaced now and queued for the reboot. */
    public record Outcome(Journal journal, int replacedNow, int queued) {
        public boolean rebootNeeded() {
            return queued > 0;
        }
    }

    private final Machine machine;
    private final ProductFolder folder;
    private final String productCode;
    private final Log log;

    public Replacer(Machine machine, ProductFolder folder, String productCode, Log log) {
        this.machine = machine;
        this.folder = folder;
        this.productCode = productCode;
        this.log = log;
    }

    /**
     * The facts of each detected target: what is in place, the staged file, the backup, where the
     * path is, Windows Resource Protection. {@code ours} says, per target path, whether the file in
     * place is one this product put there (from the journal).
     */
    public List<PlanFacts> facts(List<Detection> detections, Journal journal) {
        List<PlanFacts> facts = new ArrayList<>();
        for (Detection d : detections) {
            String path = d.path();
            FileState existing = read(path);
            FileState staged = read(folder.staged(d.target()));
            FileState backup = read(folder.backup(d.target()));
            boolean remote = machine.pathLocation(path).remote();
            boolean protectedByWrp = existing.exists() && machine.sfcProtected(path);
            boolean ours = existing.exists() && existing.version() != null && isOurs(journal, path, existing);
            facts.add(new PlanFacts(d.target(), path, existing, folder.staged(d.target()), staged, remote, protectedByWrp,
                    d.verdict(), d.lockers(), backup, ours));
        }
        return facts;
    }

    /** Carries out a plan that refused nothing; the journal gains a BEGIN, the operations, and COMPLETED. */
    public Outcome act(Plan plan, Journal before) {
        if (plan.refused()) {
            throw new IllegalArgumentException("a refused plan is not carried out: " + plan.refusalLines());
        }
        checkSecure(folder.root());
        Journal journal = write(before.append(JournalEntry.begin(productCode, JournalEntry.INSTALL, "the replace action started")));
        int now = 0;
        int queued = 0;
        for (Plan.Step step : plan.steps()) {
            PlanFacts f = step.facts();
            log.line(step.logLine());
            switch (step.decision()) {
                case INSTALL, REPLACE_NOW, REPLACE_AT_REBOOT -> {
                    if (step.backUp()) {
                        journal = backUp(f, journal);
                    }
                    String temp = stage(f);
                    if (step.decision() != Plan.Decision.REPLACE_AT_REBOOT && replaceNow(f, temp)) {
                        journal = write(journal.append(JournalEntry.replaced(productCode, f.path(), versionOrNone(f.existing()),
                                JournalEntry.versionText(f.staged().version()), step.reason())));
                        now++;
                    } else {
                        journal = queue(f, temp, journal, step.reason());
                        queued++;
                    }
                }
                default -> {
                    // SKIP_NEWER, SKIP_EQUAL: logged above, nothing to do
                }
            }
        }
        journal = write(journal.append(JournalEntry.completed(productCode, now + " replaced now, " + queued + " queued for the next reboot")));
        return new Outcome(journal, now, queued);
    }

    private Journal backUp(PlanFacts f, Journal journal) {
        secureFoldersDown(folder.backupFolder(f.target()));
        String backup = folder.backup(f.target());
        Journal written = write(journal.append(JournalEntry.backup(productCode, f.path(), backup, versionOrUnversioned(f.existing()),
                "the original, kept for rollback and uninstall")));
        machine.copyFile(f.path(), backup, true);
        log.line("kept the original " + f.path() + " (" + f.existing().describe() + ") as " + backup);
        return written;
    }

    /** Copies the staged file beside the target under a temporary name no file has; the name. */
    private String stage(PlanFacts f) {
        for (int n = 1; n <= MAX_TEMP_NAMES; n++) {
            String temp = f.path() + ".inuse-" + n + ".tmp";
            try {
                machine.copyFile(f.stagedPath(), temp, true);
                return temp;
            } catch (SessionException e) {
                if (e.win32Error() != ERROR_FILE_EXISTS) {
                    throw e;
                }
            }
        }
        throw new IllegalStateException("no free temporary name beside " + f.path() + " (" + MAX_TEMP_NAMES
                + " taken): remove the old " + f.path() + ".inuse-*.tmp files and run the install again");
    }

    /** Moves the temporary copy over the target now; false when the target became held since the detection. */
    private boolean replaceNow(PlanFacts f, String temp) {
        try {
            machine.moveFile(temp, f.path(), Machine.MOVEFILE_REPLACE_EXISTING | Machine.MOVEFILE_WRITE_THROUGH);
            log.line("replaced " + f.path() + ": " + f.existing().describe() + " -> " + f.staged().describe());
            return true;
        } catch (SessionException e) {
            if (e.win32Error() != ERROR_SHARING_VIOLATION) {
                throw e;
            }
            log.line(f.path() + " is held now (it was free when detected): replacing it at the next reboot instead");
            return false;
        }
    }

    private Journal queue(PlanFacts f, String temp, Journal journal, String reason) {
        String source = "\\??\\" + temp;
        String destination = "!\\??\\" + f.path();
        Journal written = write(journal.append(JournalEntry.queued(productCode, f.path(), temp, source, destination,
                versionOrUnversioned(f.existing()), JournalEntry.versionText(f.staged().version()), f.lockers(), reason)));
        machine.moveFile(temp, f.path(), Machine.MOVEFILE_DELAY_UNTIL_REBOOT | Machine.MOVEFILE_REPLACE_EXISTING);
        log.line("queued " + temp + " -> " + f.path() + " for the next reboot (MoveFileEx DELAY_UNTIL_REBOOT | REPLACE_EXISTING)");
        return written;
    }

    private Journal write(Journal journal) {
        machine.writeFile(folder.journal(), journal.encode(), WriteMode.REPLACE);
        return journal;
    }

    /** Each folder from the product's folder down to {@code path}, created admin-only or checked (SECURE_FOLDER creates no parents). */
    private void secureFoldersDown(String path) {
        int at = folder.root().length();
        while (at < path.length()) {
            int next = path.indexOf('\\', at + 1);
            at = next < 0 ? path.length() : next;
            checkSecure(path.substring(0, at));
        }
    }

    /** SECURE_FOLDER: creates it admin-only, or checks it; anything a user could write stops the action. */
    private void checkSecure(String path) {
        SecureFolder answer = machine.secureFolder(path);
        switch (answer.state()) {
            case CREATED, EXISTED_SECURE -> {
            }
            case CANNOT_ANSWER -> log.line(path + ": " + answer.reason() + "; used as it is (the platform keeps no DACL)");
            case NOT_SECURE -> throw new IllegalStateException(path + " is not admin-only (" + answer.reason() + "; found "
                    + answer.sddl() + "): nothing was staged or written there; remove the folder or give it to Administrators and"
                    + " SYSTEM only, then run the install again");
        }
    }

    /** The file at a path as the plan sees it: absent, unreadable (the API and error), or what the PE reader says. */
    private FileState read(String path) {
        try {
            return FileState.read(path, machine.readFile(path, MAX_IMAGE_BYTES));
        } catch (SessionException e) {
            if (e.win32Error() == ERROR_FILE_NOT_FOUND || e.win32Error() == ERROR_PATH_NOT_FOUND) {
                return FileState.absent();
            }
            return FileState.unreadable(e.api() + " error " + e.win32Error());
        }
    }

    /** True when the journal's last replacement of {@code path} (now or queued) put exactly this version there. */
    static boolean isOurs(Journal journal, String path, FileState existing) {
        String version = JournalEntry.versionText(existing.version());
        boolean ours = false;
        for (JournalEntry entry : journal.entries()) {
            if ((entry.op() == JournalEntry.Op.REPLACED || entry.op() == JournalEntry.Op.QUEUED)
                    && entry.field("target").equalsIgnoreCase(path)) {
                ours = entry.field("to").equals(version);
            }
        }
        return ours;
    }

    private static String versionOrNone(FileState state) {
        return state.exists() ? versionOrUnversioned(state) : JournalEntry.NONE;
    }

    private static String versionOrUnversioned(FileState state) {
        return state.version() == null ? JournalEntry.UNVERSIONED : JournalEntry.versionText(state.version());
    }
}
