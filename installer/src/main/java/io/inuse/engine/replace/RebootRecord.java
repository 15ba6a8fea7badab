package io.inuse.engine.replace;

import io.inuse.engine.detect.Target;
import io.inuse.engine.machine.Machine;
import io.inuse.engine.machine.RegRoot;
import io.inuse.engine.machine.RegValue;
import io.inuse.engine.session.SessionException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The reboot-pending record (docs/cli.md, "The reboot-pending record"): while a replacement of a target
 * waits for the next reboot, the product keeps, under
 * {@code HKLM\SOFTWARE\inuse\<product id>\RebootPending\<folder>#<relative>#<NAME>}, the values a ConfigMgr
 * or Intune detection script reads together with the file's SHA-256: {@code File} (the full path),
 * {@code NewVersion}, {@code Sha256} (lower-case hex, of the file that the boot-time move puts there),
 * {@code Lockers} (REG_MULTI_SZ, what held it), {@code QueuedAt} (UTC, ISO 8601) and {@code Run} (the run id).
 * A record whose file already has the expected hash is done: {@code inuse status} and the next install
 * of the product remove it. The journal stays the truth; the record is a copy for scripts, written after
 * the boot-time move is queued and removed when it is done, superseded, undone, or the product is removed.
 */
public record RebootRecord(String key, String file, String newVersion, String sha256, List<String> lockers, String queuedAt, String run) {
    public static final String FILE = "File";
    public static final String NEW_VERSION = "NewVersion";
    public static final String SHA256 = "Sha256";
    public static final String LOCKERS = "Lockers";
    public static final String QUEUED_AT = "QueuedAt";
    public static final String RUN = "Run";

    public RebootRecord {
        lockers = List.copyOf(lockers);
    }

    /** {@code SOFTWARE\inuse\<product id>\RebootPending}: the key whose subkeys are the records. */
    public static String root(String productId) {
        return "SOFTWARE\\inuse\\" + productId + "\\RebootPending";
    }

    /**
     * The record's key for a target: {@code ...\RebootPending\System#MAPI32.DLL}, one flat subkey per target, its parts
     * joined with {@code #} (PowerShell's registry provider takes a {@code /} in a key name for a separator).
     */
    public static String keyOf(String productId, Target target) {
        return root(productId) + "\\" + target.folder().name() + "#" + (target.relative().isEmpty() ? ""
                : target.relative().replace('\\', '#') + "#") + target.name().toUpperCase(Locale.ROOT);
    }

    /** Writes the record, {@code File} last: a script that sees {@code File} sees the whole record. */
    public void write(Machine machine) {
        machine.regWrite(RegRoot.HKLM, key, NEW_VERSION, RegValue.sz(newVersion));
        machine.regWrite(RegRoot.HKLM, key, SHA256, RegValue.sz(sha256));
        machine.regWrite(RegRoot.HKLM, key, LOCKERS, multiSz(lockers));
        machine.regWrite(RegRoot.HKLM, key, QUEUED_AT, RegValue.sz(queuedAt));
        machine.regWrite(RegRoot.HKLM, key, RUN, RegValue.sz(run));
        machine.regWrite(RegRoot.HKLM, key, FILE, RegValue.sz(file));
    }

    /** The record of a target; empty when there is none (no key, or no {@code File} value: one half removed). */
    public static Optional<RebootRecord> read(Machine machine, String productId, Target target) {
        String key = keyOf(productId, target);
        Optional<String> file = text(machine, key, FILE);
        if (file.isEmpty()) {
            return Optional.empty();
        }
        List<String> lockers = new ArrayList<>();
        Optional<RegValue> raw = machine.regRead(RegRoot.HKLM, key, LOCKERS);
        if (raw.isPresent() && raw.get().type() == RegValue.REG_MULTI_SZ) {
            for (String part : new String(raw.get().data(), StandardCharsets.UTF_16LE).split("\0")) {
                if (!part.isEmpty()) {
                    lockers.add(part);
                }
            }
        }
        return Optional.of(new RebootRecord(key, file.get(), text(machine, key, NEW_VERSION).orElse(""),
                text(machine, key, SHA256).orElse("").toLowerCase(Locale.ROOT), lockers, text(machine, key, QUEUED_AT).orElse(""),
                text(machine, key, RUN).orElse("")));
    }

    /**
     * Removes a target's record, {@code File} first (then nothing a script reads says "pending"), then the
     * other values and the key. True when there was one.
     */
    public static boolean remove(Machine machine, String productId, Target target) {
        String key = keyOf(productId, target);
        boolean had = machine.regDeleteValue(RegRoot.HKLM, key, FILE);
        machine.regDeleteKey(RegRoot.HKLM, key);
        return had;
    }

    /** Whether the file now has the hash the record expects: the replacement happened. Decided by the bytes, not by the record. */
    public boolean done(Machine machine) {
        try {
            String now = machine.fileInfo(file).sha256();
            return now != null && now.equalsIgnoreCase(sha256);
        } catch (SessionException e) {
            if (Disk.notFound(e)) {
                return false;
            }
            throw e;
        }
    }

    /**
     * Removes the records of these targets whose files have the expected hash: the next install's first
     * step. Returns one log line per record removed.
     */
    public static List<String> clearDone(Machine machine, String productId, List<Target> targets) {
        List<String> lines = new ArrayList<>();
        for (Target target : targets) {
            Optional<RebootRecord> record = read(machine, productId, target);
            if (record.isPresent() && record.get().done(machine)) {
                remove(machine, productId, target);
                lines.add("the replacement of " + record.get().file() + " queued at " + record.get().queuedAt() + " is done ("
                        + record.get().newVersion() + ", SHA-256 " + record.get().sha256() + "): its reboot-pending record is removed");
            }
        }
        return lines;
    }

    /**
     * After a boot-time move of {@code temp} onto a target was queued: its record, with the SHA-256 of the copy
     * the move puts there. A record that cannot be written is a log line, not a failure: the journal and
     * PendingFileRenameOperations hold the replacement, the record is their copy for scripts.
     */
    static void record(Machine machine, String productId, Target target, String path, String temp, String newVersion,
            List<io.inuse.engine.detect.Locker> lockers, String run, Replacer.Log log) {
        List<String> names = new ArrayList<>();
        for (io.inuse.engine.detect.Locker locker : lockers) {
            names.add(locker.displayName());
        }
        try {
            RebootRecord record = new RebootRecord(keyOf(productId, target), path, newVersion, machine.fileInfo(temp).sha256(), names,
                    java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString(), run);
            record.write(machine);
            log.line("reboot-pending record HKLM\\" + record.key() + ": " + newVersion + ", SHA-256 " + record.sha256());
        } catch (SessionException e) {
            log.line("the reboot-pending record of " + path + " could not be written (" + e.getMessage() + "): the replacement is"
                    + " queued all the same; `inuse status` reports it from the journal");
        }
    }

    /** Removes a target's record of an earlier run (done, or its move superseded by this run), with a line saying which. */
    static void clearEarlier(Machine machine, String productId, Target target, String run, Replacer.Log log) {
        Optional<RebootRecord> record = read(machine, productId, target);
        if (record.isEmpty() || record.get().run().equals(run)) {
            return;
        }
        boolean done = record.get().done(machine);
        if (removeLogged(machine, productId, target, log)) {
            log.line("reboot-pending record of " + record.get().file() + " (queued at " + record.get().queuedAt() + ", "
                    + record.get().newVersion() + ") removed: " + (done ? "the replacement is done, the file has SHA-256 "
                    + record.get().sha256() : "this install replaces its boot-time move"));
        }
    }

    /** Removes a target's record when this run wrote it (the run's rollback). */
    static void clearRun(Machine machine, String productId, Target target, String run, Replacer.Log log) {
        Optional<RebootRecord> record = read(machine, productId, target);
        if (record.isPresent() && record.get().run().equals(run) && removeLogged(machine, productId, target, log)) {
            log.line("rollback: reboot-pending record of " + record.get().file() + " removed");
        }
    }

    /**
     * {@link #remove}, a failure a log line: the record is the scripts' copy of the journal, and a record that cannot be
     * removed never fails an install, a rollback or an uninstall. True when it was removed.
     */
    static boolean removeLogged(Machine machine, String productId, Target target, Replacer.Log log) {
        try {
            return remove(machine, productId, target);
        } catch (SessionException e) {
            log.line("the reboot-pending record HKLM\\" + keyOf(productId, target) + " could not be removed (" + e.getMessage()
                    + "): it stays; inuse status compares it with the file's hash");
            return false;
        }
    }

    /**
     * After a rollback of run {@code run}: the records that run wrote are removed, and an earlier run's
     * boot-time move that the rollback queued again (REQUEUED) gets its record back (QueuedAt: now; Run: the run that queued it).
     */
    public static void afterRollback(Machine machine, String productId, List<Target> targets, Journal journal, String run,
            Replacer.Log log) {
        List<Journal.Run> runs = journal.runs();
        Journal.Run last = runs.isEmpty() ? null : runs.get(runs.size() - 1);
        for (Target target : targets) {
            clearRun(machine, productId, target, run, log);
            if (last == null || !last.runId().equals(run)) {
                continue;
            }
            String path = target.pathIn(machine.knownFolder(target.folder()));
            for (JournalEntry entry : last.entries()) {
                if (entry.op() == JournalEntry.Op.REQUEUED && !entry.field("destination").isEmpty()
                        && PendingRename.samePath(entry.field("target"), path)) {
                    record(machine, productId, target, path, entry.field("temp"), entry.field("to"), entry.lockers(),
                            queuedBy(runs, entry, run), log);
                }
            }
        }
    }

    /** The run id of the run whose QUEUED line has the requeued entry's strings; {@code fallback} when none has. */
    private static String queuedBy(List<Journal.Run> runs, JournalEntry requeued, String fallback) {
        for (Journal.Run r : runs) {
            for (JournalEntry e : r.entries()) {
                if (e.op() == JournalEntry.Op.QUEUED && e.field("source").equals(requeued.field("source"))
                        && e.field("destination").equals(requeued.field("destination"))) {
                    return r.runId();
                }
            }
        }
        return fallback;
    }

    /**
     * The uninstall's clean-up (commit): every record of the product goes, then the {@code RebootPending} key, and
     * the product's key when nothing is left in it (Windows Installer removed its JavaHome value already).
     */
    public static void removeAll(Machine machine, String productId, List<Target> targets, Replacer.Log log) {
        for (Target target : targets) {
            if (removeLogged(machine, productId, target, log)) {
                log.line("reboot-pending record of " + target + " removed with the product");
            }
        }
        try {
            machine.regDeleteKey(RegRoot.HKLM, root(productId));
            String product = "SOFTWARE\\inuse\\" + productId;
            if (machine.regRead(RegRoot.HKLM, product, "JavaHome").isEmpty()) {
                machine.regDeleteKey(RegRoot.HKLM, product);
            }
        } catch (SessionException e) {
            // a key someone else added below is theirs: it stays, and with it the keys above it
            log.line("registry keys of the product kept: " + e.getMessage());
        }
    }

    private static Optional<String> text(Machine machine, String key, String name) {
        Optional<RegValue> value = machine.regRead(RegRoot.HKLM, key, name);
        if (value.isEmpty() || value.get().type() != RegValue.REG_SZ) {
            return Optional.empty();
        }
        return Optional.of(value.get().string());
    }

    static RegValue multiSz(List<String> items) {
        StringBuilder all = new StringBuilder();
        for (String item : items) {
            if (!item.isEmpty()) {
                all.append(item).append('\0');
            }
        }
        return new RegValue(RegValue.REG_MULTI_SZ, all.append('\0').toString().getBytes(StandardCharsets.UTF_16LE));
    }
}
