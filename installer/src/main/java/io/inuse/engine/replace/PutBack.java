package io.inuse.engine.replace;

import io.inuse.engine.machine.Machine;
import io.inuse.engine.session.SessionException;
import java.util.List;
import java.util.Optional;

/**
 * The two steps that take a replacement back, shared by the rollback ({@link Undo}) and the uninstall
 * ({@link Restore}): put a kept copy back over a target, or remove a file this product put where
 * nothing was. Each is journalled first (the caller's line), then done now; when the target is held,
 * done at the next reboot instead, with its own QUEUED line and exact strings (docs/journal.md).
 */
final class PutBack {
    private final Machine machine;
    private final ProductFolder folder;
    private final String productCode;
    private final Replacer.Log log;
    /** What the log lines start with: "rollback: ", "uninstall: ". */
    private final String prefix;
    /** Whether a step that can be neither done now nor queued stops the action (the uninstall) or is logged (a rollback). */
    private final boolean strict;

    PutBack(Machine machine, ProductFolder folder, String productCode, Replacer.Log log, String prefix, boolean strict) {
        this.machine = machine;
        this.folder = folder;
        this.productCode = productCode;
        this.log = log;
        this.prefix = prefix;
        this.strict = strict;
    }

    /**
     * The temporary copy a put-back moves over its target: {@code <target>.inuse-restore-<n>.tmp} beside it, the
     * first name no file has (a name in use may be the source of an earlier restore still pending).
     */
    String restoreTemp(String target) {
        return Disk.freeName(machine, target, ".inuse-restore-");
    }

    /**
     * {@code line} journalled, then {@code copy} (version {@code copyVersion}) copied beside the target and
     * moved over it; held: that move queued for the next reboot (a QUEUED line first). {@code inPlaceVersion}
     * is the version of the file it replaces. The journal as written.
     */
    Journal restore(String target, String copy, String copyVersion, String inPlaceVersion, JournalEntry line, Journal journal) {
        Journal written = write(journal.append(line));
        String temp = restoreTemp(target);
        machine.copyFile(copy, temp, true);
        try {
            machine.moveFile(temp, target, Machine.MOVEFILE_REPLACE_EXISTING | Machine.MOVEFILE_WRITE_THROUGH);
            log.line(prefix + "restored " + target + " from " + copy + " (" + copyVersion + ")");
            return written;
        } catch (SessionException e) {
            if (!Replacer.isHeld(e)) {
                throw e;
            }
        }
        Optional<String> damaged = PendingEdit.appendProblem(machine);
        if (damaged.isPresent()) {
            Disk.deleteIfThere(machine, temp);
            unqueueable(target + " is held, and its restore at the next reboot cannot be queued: " + damaged.get(),
                    "It stays as it is; copy " + copy + " over it after a restart");
            return written;
        }
        written = write(written.append(JournalEntry.queued(productCode, target, temp, PendingRename.NT_PREFIX + temp,
                "!" + PendingRename.NT_PREFIX + target, inPlaceVersion, copyVersion, List.of(),
                "the restore of " + copyVersion + ", held until the next reboot")));
        machine.moveFile(temp, target, Machine.MOVEFILE_DELAY_UNTIL_REBOOT | Machine.MOVEFILE_REPLACE_EXISTING);
        log.line(prefix + target + " is held: its restore from " + copy + " (" + copyVersion + ") is queued for the next reboot");
        return written;
    }

    /**
     * {@code line} journalled, then the target (version {@code version}) deleted; held: renamed aside
     * and the renamed file's deletion queued for the next reboot (a QUEUED line first), so that a file
     * put there before then stays. The journal as written.
     */
    Journal remove(String target, String version, JournalEntry line, Journal journal) {
        Journal written = write(journal.append(line));
        try {
            machine.deleteFile(target);
            log.line(prefix + target + " (" + version + "), which this product put where nothing was, deleted");
            return written;
        } catch (SessionException e) {
            if (!Replacer.isHeld(e)) {
                throw e;
            }
        }
        Optional<String> damaged = PendingEdit.appendProblem(machine);
        if (damaged.isPresent()) {
            unqueueable(target + " is held, and its delete at the next reboot cannot be queued: " + damaged.get(),
                    "It stays as it is; delete it after a restart");
            return written;
        }
        String aside = Disk.freeName(machine, target, ".inuse-removed-");
        written = write(written.append(JournalEntry.queued(productCode, target, aside, PendingRename.NT_PREFIX + aside, "",
                version, JournalEntry.NONE, List.of(),
                "held: renamed aside and deleted at the next reboot, so that a file installed there before then stays")));
        machine.moveFile(target, aside, Machine.MOVEFILE_WRITE_THROUGH);
        machine.moveFile(aside, null, Machine.MOVEFILE_DELAY_UNTIL_REBOOT);
        log.line(prefix + target + " is held: renamed to " + aside + ", which is deleted at the next reboot");
        return written;
    }

    private void unqueueable(String what, String rollbackAdvice) {
        if (strict) {
            throw new IllegalStateException(what + ". Close what holds it, or repair that value, and run this again");
        }
        log.line(prefix + what + ". " + rollbackAdvice);
    }

    private Journal write(Journal journal) {
        machine.writeFile(folder.journal(), journal.encode(), io.inuse.engine.machine.WriteMode.REPLACE);
        return journal;
    }
}
