package io.inuse.engine.replace;

import io.inuse.engine.detect.Detection;
import io.inuse.engine.machine.Machine;
import io.inuse.engine.machine.WriteMode;
import io.inuse.engine.session.SessionException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

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
 * <li>Backup: the file in place is copied to {@code <backup>.tmp}, then renamed to the backup's name
 * without replacing (never over an existing backup), when the plan says so.</li>
 * <li>INSTALL (nothing in place): REPLACED from {@code none} is journalled, the staged file copied to
 * {@code <target>.inuse-install.tmp} and moved in place without MOVEFILE_REPLACE_EXISTING: a file
 * that appeared since the read (183, 80) stops the action and is left alone.</li>
 * <li>REPLACE_NOW and REPLACE_AT_REBOOT: a free name {@code <target>.inuse-<n>.tmp} is chosen and
 * the QUEUED line (that name, and the exact strings of the boot-time move) journalled before the
 * staged file is copied there. REPLACE_NOW then checks that the file in place is still the one read
 * (SHA-256), journals REPLACED and moves the copy over it with {@code MOVEFILE_REPLACE_EXISTING |
 * MOVEFILE_WRITE_THROUGH}; when the move finds the file held (5 or 32: a process loaded it since the
 * detection), it takes the reboot path with the QUEUED line's strings, and that REPLACED line stands
 * for a move that did not happen ({@link Undo} checks the file in place before it restores).</li>
 * <li>The reboot path: {@code MoveFileExW(tmp, target, MOVEFILE_DELAY_UNTIL_REBOOT |
 * MOVEFILE_REPLACE_EXISTING)}, which writes {@code \??\tmp} and {@code !\??\target} into
 * PendingFileRenameOperations, the strings of the QUEUED line.</li>
 * </ul>
 */
public final class Replacer {
    /** The largest target or staged file the plan reads (the PE reader needs the whole image). */
    static final int MAX_IMAGE_BYTES = Machine.FILE_READ_MAX;
    private static final long ERROR_PATH_NOT_FOUND = 3;
    private static final long ERROR_ACCESS_DENIED = 5;
    private static final long ERROR_SHARING_VIOLATION = 32;
    private static final long ERROR_FILE_EXISTS = 80;
    private static final long ERROR_ALREADY_EXISTS = 183;

    /** Where the log lines go: the action's session log. */
    public interface Log {
        void line(String text);
    }

    /** What {@link #act} did: the journal as written, and how many targets were replaced now and queued for the reboot. */
    public record Outcome(Journal journal, int replacedNow, int queued, int renamedAside) {
        public boolean rebootNeeded() {
            return queued > 0;
        }
    }

    private final Machine machine;
    private final ProductFolder folder;
    private final String productCode;
    private final Log log;
    /** path -> SHA-256 of the bytes {@link #facts} read there ("absent" when nothing was). */
    private final Map<String, String> hashes = new HashMap<>();
    private final String run;
    private boolean renameAside;

    /** @param run this install's run id ({@link JournalEntry#isRunId}), which the BEGIN line records */
    public Replacer(Machine machine, ProductFolder folder, String productCode, String run, Log log) {
        if (!JournalEntry.isRunId(run)) {
            throw new IllegalArgumentException("the run id '" + run + "' is not 32 lower-case hex digits");
        }
        this.machine = machine;
        this.folder = folder;
        this.productCode = productCode;
        this.run = run;
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
            FileState existing = readTarget(path);
            FileState staged = readTarget(folder.staged(d.target()));
            FileState backup = read(folder.backup(d.target()));
            boolean remote = machine.pathLocation(path).remote();
            // asked whether the file is there or not, as the detect action asks (Schedule.refuseEarly): Windows
            // answers from its list of protected paths
            boolean protectedByWrp = machine.sfcProtected(path);
            boolean ours = existing.exists() && existing.version() != null && journal.lastPut(path, JournalEntry.versionText(existing.version()));
            facts.add(new PlanFacts(d.target(), path, existing, folder.staged(d.target()), staged, remote, protectedByWrp,
                    d.verdict(), d.lockers(), backup, ours));
        }
        return facts;
    }

    /** {@code INUSE_STRATEGY}: with {@code renameaside}, a held target is renamed aside and replaced at once ({@link RenameAside}). */
    public Replacer strategy(Policy.Strategy strategy) {
        this.renameAside = strategy == Policy.Strategy.RENAME_ASIDE;
        return this;
    }

    /** Carries out a plan that refused nothing; the journal gains a BEGIN, the operations, and COMPLETED. */
    public Outcome act(Plan plan, Journal before) {
        if (plan.refused()) {
            throw new IllegalArgumentException("a refused plan is not carried out: " + plan.refusalLines());
        }
        Journal journal = write(before.append(JournalEntry.begin(productCode, JournalEntry.INSTALL, run, "the replace action started")));
        List<String> paths = new ArrayList<>();
        for (Plan.Step step : plan.steps()) {
            paths.add(step.facts().path());
        }
        journal = new Reconcile(machine, folder, productCode, log).supersede(paths, journal, "would undo this run at the next boot");
        for (Plan.Step step : plan.steps()) {
            // an earlier run's record: done, or its boot-time move superseded just now
            RebootRecord.clearEarlier(machine, folder.productId(), step.facts().target(), run, log);
        }
        int now = 0;
        int queued = 0;
        int aside = 0;
        for (Plan.Step step : plan.steps()) {
            PlanFacts f = step.facts();
            log.line(step.logLine());
            switch (step.decision()) {
                case INSTALL -> {
                    journal = install(f, journal, step.reason());
                    now++;
                }
                case REPLACE_NOW, REPLACE_AT_REBOOT -> {
                    boolean tryNow = step.decision() == Plan.Decision.REPLACE_NOW;
                    if (step.backUp()) {
                        journal = backUp(f, journal);
                    } else if (tryNow || renameAside) {
                        journal = saveForRollback(f, journal);
                    }
                    String temp = Disk.freeName(machine, f.path(), ".inuse-");
                    journal = queuedLine(f, temp, journal, tryNow ? "staged to replace it now; these are the strings of the"
                            + " boot-time move made instead if it is held by then: " + step.reason() : step.reason());
                    machine.copyFile(f.stagedPath(), temp, true);
                    checkCopy(f.stagedPath(), temp);
                    if (tryNow) {
                        checkUnchanged(f);
                        journal = write(journal.append(JournalEntry.replaced(productCode, f.path(), versionOrUnversioned(f.existing()),
                                JournalEntry.versionText(f.staged().version()), step.reason())));
                        if (replaceNow(f, temp)) {
                            now++;
                            continue;
                        }
                    }
                    if (renameAside) {
                        RenameAside.Result result = new RenameAside(machine, folder, productCode, log).act(f, temp, hashes.get(f.path()),
                                versionOrUnversioned(f.existing()), JournalEntry.versionText(f.staged().version()), !tryNow, journal);
                        journal = result.journal();
                        if (result.done()) {
                            now++;
                            aside++;
                            continue;
                        }
                    }
                    Optional<String> damaged = pendingValueProblem();
                    if (damaged.isPresent()) {
                        throw new IllegalStateException(damaged.get() + ". So the replacement of " + f.path() + ", held now, is not"
                                + " queued: run the install again after that");
                    }
                    new Reconcile(machine, folder, productCode, log).nameForeignMovesOnto(f.path());
                    machine.moveFile(temp, f.path(), Machine.MOVEFILE_DELAY_UNTIL_REBOOT | Machine.MOVEFILE_REPLACE_EXISTING);
                    log.line("queued " + temp + " -> " + f.path() + " for the next reboot (MoveFileEx DELAY_UNTIL_REBOOT | REPLACE_EXISTING)");
                    RebootRecord.record(machine, folder.productId(), f.target(), f.path(), temp, JournalEntry.versionText(f.staged().version()),
                            f.lockers(), run, log);
                    queued++;
                }
                default -> {
                    // SKIP_NEWER, SKIP_EQUAL: logged above, nothing to do
                }
            }
        }
        journal = write(journal.append(JournalEntry.completed(productCode, now + " replaced now"
                + (aside > 0 ? " (" + aside + " by renaming the held file aside)" : "") + ", " + queued + " queued for the next reboot")));
        return new Outcome(journal, now, queued, aside);
    }

    /**
     * The backup: journalled, copied to {@code <backup>.tmp}, then renamed to its name without
     * MOVEFILE_REPLACE_EXISTING, so that a copy cut short never sits under the backup's name.
     */
    private Journal backUp(PlanFacts f, Journal journal) {
        FolderChecks.secureDown(machine, folder, folder.backupFolder(f.target()), log);
        String backup = folder.backup(f.target());
        Journal written = write(journal.append(JournalEntry.backup(productCode, f.path(), backup, versionOrUnversioned(f.existing()),
                "the original, kept for rollback and uninstall")));
        String partial = checkedCopy(f.path(), backup + ".tmp");
        try {
            machine.moveFile(partial, backup, Machine.MOVEFILE_WRITE_THROUGH);
        } catch (SessionException e) {
            if (e.win32Error() != ERROR_ALREADY_EXISTS && e.win32Error() != ERROR_FILE_EXISTS) {
                throw e;
            }
            throw new IllegalStateException("a backup appeared at " + backup + " while the original of " + f.path()
                    + " was being kept (MoveFileExW error " + e.win32Error() + "): it was absent when the facts were read."
                    + " Nothing was replaced; run the install again");
        }
        log.line("kept the original " + f.path() + " (" + f.existing().describe() + ") as " + backup);
        return written;
    }

    /** Why no boot-time move may be queued now, if there is a reason ({@link PendingRenames#appendProblem}). */
    public Optional<String> pendingValueProblem() {
        return PendingEdit.appendProblem(machine);
    }

    /**
     * Before a replacement now of a file that is not the original (this product's own: an upgrade or a
     * forced repair; or someone's file put there after the original was kept): a copy for this run's
     * rollback, journalled (SAVED) first, copied through {@code <copy>.tmp} and moved over the earlier
     * run's copy, which is of no use any more.
     */
    private Journal saveForRollback(PlanFacts f, Journal journal) {
        FolderChecks.secureDown(machine, folder, folder.rollbackFolder(f.target()), log);
        String copy = folder.rollbackCopy(f.target());
        Journal written = write(journal.append(JournalEntry.saved(productCode, f.path(), copy, versionOrUnversioned(f.existing()),
                "the file in place, kept for this run's rollback only")));
        String partial = checkedCopy(f.path(), copy + ".tmp");
        machine.moveFile(partial, copy, Machine.MOVEFILE_REPLACE_EXISTING | Machine.MOVEFILE_WRITE_THROUGH);
        log.line("kept " + f.path() + " (" + f.existing().describe() + ") as " + copy + " for this run's rollback");
        return written;
    }

    /**
     * INSTALL: nothing is in place. REPLACED (from none) is journalled first; it names the temporary
     * copy {@code <target>.inuse-install.tmp}, which the rollback deletes. The move does not replace:
     * a file that appeared since the read stops the action and is left alone.
     */
    private Journal install(PlanFacts f, Journal journal, String reason) {
        if (Disk.exists(machine, f.path())) {
            throw appeared(f.path(), "it is there now");
        }
        Journal written = write(journal.append(JournalEntry.replaced(productCode, f.path(), JournalEntry.NONE,
                JournalEntry.versionText(f.staged().version()), reason)));
        String temp = installTemp(f.path());
        Disk.deleteIfThere(machine, temp);
        try {
            machine.copyFile(f.stagedPath(), temp, true);
        } catch (SessionException e) {
            String folder = f.path().substring(0, f.path().lastIndexOf('\\'));
            if (e.win32Error() != ERROR_PATH_NOT_FOUND || Disk.exists(machine, folder)) {
                throw e;
            }
            // the package makes the folders its targets need, except under ProgramData (a folder there would inherit
            // ProgramData's ACL, which lets users write: no place for a DLL that SYSTEM writes and services load)
            throw new IllegalStateException(f.path() + ": its folder does not exist (CopyFileW error 3), so nothing was put in place."
                    + " Install the program this DLL belongs to first (it makes the folder, with the permissions it needs), then run the"
                    + " install again");
        }
        checkCopy(f.stagedPath(), temp);
        try {
            machine.moveFile(temp, f.path(), Machine.MOVEFILE_WRITE_THROUGH);
        } catch (SessionException e) {
            if (e.win32Error() != ERROR_ALREADY_EXISTS && e.win32Error() != ERROR_FILE_EXISTS) {
                throw e;
            }
            Disk.deleteIfThere(machine, temp);
            throw appeared(f.path(), "MoveFileExW error " + e.win32Error());
        }
        log.line("installed " + f.path() + " (" + f.staged().describe() + "), where nothing was");
        return written;
    }

    /** The temporary copy of an INSTALL, named by its REPLACED line's target. */
    static String installTemp(String path) {
        return path + ".inuse-install.tmp";
    }

    private static IllegalStateException appeared(String path, String how) {
        return new IllegalStateException(path + ": a file appeared there since it was read as absent (" + how
                + "): it was left alone and nothing was put in place (the file changed while it was examined). Run the install again");
    }

    /** {@code source} copied to {@code partial} (a leftover there deleted first), holding the bytes the facts read; its path. */
    private String checkedCopy(String source, String partial) {
        Disk.deleteIfThere(machine, partial);
        machine.copyFile(source, partial, true);
        checkCopy(source, partial);
        return partial;
    }

    /**
     * A copy must hold the bytes the facts read from its source (the file in place, or the staged file):
     * a file changed since is neither kept as what it was nor put in place.
     */
    private void checkCopy(String source, String copy) {
        String copied = machine.fileInfo(copy).sha256();
        if (!copied.equals(hashes.get(source))) {
            Disk.deleteIfThere(machine, copy);
            throw new IllegalStateException(source + " changed since it was read (SHA-256 " + hashes.get(source) + " then, "
                    + copied + " in its copy): it was not kept, and nothing was replaced (the file changed while it was"
                    + " examined). Run the install again");
        }
    }

    /** Before a move now: the file in place must still be the one the facts read (same SHA-256). */
    private void checkUnchanged(PlanFacts f) {
        String read = hashes.get(f.path());
        if (read == null) {
            throw new IllegalStateException("the facts of " + f.path() + " were not gathered by this Replacer: it replaces only a"
                    + " file whose bytes it read itself");
        }
        String now;
        try {
            now = machine.fileInfo(f.path()).sha256();
        } catch (SessionException e) {
            if (!Disk.notFound(e)) {
                throw e;
            }
            now = "absent";
        }
        if (!read.equals(now)) {
            throw new IllegalStateException(f.path() + " changed since it was read (SHA-256 " + read + " then, " + now + " now):"
                    + " it was left as it is and nothing was put in place (the file changed while it was examined). Run the install again");
        }
    }

    /** Moves the temporary copy over the target now; false when the target became held since the detection (5 or 32). */
    private boolean replaceNow(PlanFacts f, String temp) {
        try {
            machine.moveFile(temp, f.path(), Machine.MOVEFILE_REPLACE_EXISTING | Machine.MOVEFILE_WRITE_THROUGH);
            log.line("replaced " + f.path() + ": " + f.existing().describe() + " -> " + f.staged().describe());
            return true;
        } catch (SessionException e) {
            if (!isHeld(e)) {
                throw e;
            }
            log.line(f.path() + " is held now (it was free when detected; MoveFileExW error " + e.win32Error()
                    + "): replacing it at the next reboot instead, as the QUEUED line says");
            return false;
        }
    }

    /** Windows' answers for a file a process has loaded or open: 5 (replacing a loaded DLL) and 32. */
    static boolean isHeld(SessionException e) {
        return e.win32Error() == ERROR_ACCESS_DENIED || e.win32Error() == ERROR_SHARING_VIOLATION;
    }

    /** The QUEUED line, written before the temporary copy exists: it names it and the exact strings of the boot-time move. */
    private Journal queuedLine(PlanFacts f, String temp, Journal journal, String reason) {
        return write(journal.append(JournalEntry.queued(productCode, f.path(), temp, PendingRename.NT_PREFIX + temp,
                "!" + PendingRename.NT_PREFIX + f.path(), versionOrUnversioned(f.existing()),
                JournalEntry.versionText(f.staged().version()), f.lockers(), reason)));
    }

    private Journal write(Journal journal) {
        machine.writeFile(folder.journal(), journal.encode(), WriteMode.REPLACE);
        return journal;
    }


    /** {@link #read}, and the SHA-256 of the bytes read kept for {@link #checkUnchanged}. */
    private FileState readTarget(String path) {
        try {
            byte[] bytes = machine.readFile(path, MAX_IMAGE_BYTES);
            hashes.put(path, sha256(bytes));
            return FileState.read(path, bytes);
        } catch (SessionException e) {
            hashes.put(path, "absent");
            return state(e);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("this Java has no SHA-256, which every Java SE has", e);
        }
    }

    private static FileState state(SessionException e) {
        if (Disk.notFound(e)) {
            return FileState.absent();
        }
        return FileState.unreadable(e.api() + " error " + e.win32Error());
    }

    /** The file at a path as the plan sees it: absent, unreadable (the API and error), or what the PE reader says. */
    private FileState read(String path) {
        return Disk.state(machine, path);
    }

    private static String versionOrUnversioned(FileState state) {
        return state.version() == null ? JournalEntry.UNVERSIONED : JournalEntry.versionText(state.version());
    }
}
