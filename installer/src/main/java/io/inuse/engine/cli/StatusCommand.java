package io.inuse.engine.cli;

import io.inuse.engine.detect.Target;
import io.inuse.engine.machine.Machine;
import io.inuse.engine.machine.RegRoot;
import io.inuse.engine.machine.RegValue;
import io.inuse.engine.replace.FileState;
import io.inuse.engine.replace.PendingRename;
import io.inuse.engine.replace.PendingRenames;
import io.inuse.engine.replace.PendingRenamesException;
import io.inuse.engine.replace.RebootRecord;
import io.inuse.engine.session.SessionException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * {@code inuse status}: per target of the installed product, whether its replacement is done, waits for a
 * reboot, or the file in place is not the product's, decided by the file's SHA-256 against the expected one
 * (the reboot-pending record's, else the package's staged file's) and by this product's entries in
 * PendingFileRenameOperations, not by a record alone; where the original's backup is; and a record whose
 * file has the expected hash is removed (done). Exit 0 all done (or a newer file kept), 1 a replacement waits
 * for the reboot, 2 a file differs. A reboot that only deletes this product's renamed-aside file
 * (renameaside) is "reboot needed: yes" with exit 0: the replacement itself is done.
 */
final class StatusCommand {
    private final Machine machine;
    private final Cli.Product product;

    StatusCommand(Machine machine, Cli.Product product) {
        this.machine = machine;
        this.product = product;
    }

    Cli.Answer run() {
        List<PendingRename> pending = pending();
        List<Object> targets = new ArrayList<>();
        List<String> text = new ArrayList<>();
        String productId = product.folder().productId();
        text.add("inuse " + productId + " (" + product.folder().root() + ")");
        boolean anyPending = false;
        boolean anyDiffers = false;
        boolean reboot = false;
        for (Target target : product.targets()) {
            String path = target.pathIn(machine.knownFolder(target.folder()));
            Map<String, Object> t = new LinkedHashMap<>();
            t.put("target", target.toString());
            t.put("path", path);
            Version inPlace = version(path);
            Optional<RebootRecord> record = RebootRecord.read(machine, productId, target);
            Version expected = record.isPresent() ? new Version(record.get().newVersion(), record.get().sha256())
                    : version(product.folder().staged(target));
            List<Object> ours = new ArrayList<>();
            boolean moveOnto = false;
            for (PendingRename entry : pending) {
                boolean onto = !entry.isDelete() && PendingRename.samePath(entry.destinationPath(), path);
                boolean ourName = entry.sourcePath().toLowerCase(Locale.ROOT).startsWith(path.toLowerCase(Locale.ROOT) + ".inuse-");
                if (ourName) {
                    ours.add(entry.isDelete() ? "delete " + entry.sourcePath() : entry.sourcePath() + " -> " + entry.destinationPath());
                    moveOnto |= onto;
                }
            }
            reboot |= !ours.isEmpty();
            String state;
            if (moveOnto) {
                state = "reboot-pending";
                anyPending = true;
            } else if (inPlace.sha256 != null && inPlace.sha256.equalsIgnoreCase(expected.sha256)) {
                state = "done";
            } else if (newer(inPlace.version, expected.version)) {
                state = "kept-newer";   // the product never downgrades: a newer file in place is left, as designed
            } else {
                state = "differs";
                anyDiffers = true;
            }
            boolean removed = false;
            String notRemoved = null;
            if (state.equals("done") && record.isPresent()) {
                try {
                    removed = RebootRecord.remove(machine, productId, target);
                } catch (SessionException e) {
                    notRemoved = e.getMessage();
                }
            }
            String backup = product.folder().backup(target);
            Version original = version(backup);
            t.put("state", state);
            t.put("version", inPlace.version);
            t.put("sha256", inPlace.sha256);
            t.put("expectedVersion", expected.version);
            t.put("expectedSha256", expected.sha256);
            t.put("expectedFrom", record.isPresent() ? "reboot-pending record" : "the package's staged file");
            t.put("pending", ours);
            Map<String, Object> r = null;
            if (record.isPresent()) {
                r = new LinkedHashMap<>();
                r.put("key", "HKLM\\" + record.get().key());
                r.put("queuedAt", record.get().queuedAt());
                r.put("lockers", new ArrayList<Object>(record.get().lockers()));
                r.put("removedAsDone", removed);
                r.put("notRemoved", notRemoved);
            }
            t.put("record", r);
            t.put("backup", original.sha256 == null ? null : backup);
            t.put("backupVersion", original.version);
            targets.add(t);
            text.add(target + "  " + path);
            text.add("  state:    " + words(state));
            text.add("  in place: " + inPlace.describe());
            text.add("  expected: " + expected.describe() + " (" + t.get("expectedFrom") + ")");
            for (Object p : ours) {
                text.add("  pending:  " + p);
            }
            if (record.isPresent()) {
                text.add("  record:   " + r.get("key") + ", queued at " + record.get().queuedAt() + (record.get().lockers().isEmpty() ? ""
                        : ", held by " + String.join("; ", record.get().lockers())) + (removed ? " (done: removed now)" : "")
                        + (notRemoved != null ? " (done, but it could not be removed: " + notRemoved + "; run inuse as an administrator)" : ""));
            }
            text.add("  backup:   " + (original.sha256 == null ? "none" : backup + " (" + original.version + ")"));
        }
        text.add("reboot needed: " + (reboot ? "yes" : "no"));
        Map<String, Object> model = new LinkedHashMap<>();
        model.put("product", productId);
        model.put("folder", product.folder().root());
        model.put("rebootNeeded", reboot);
        model.put("targets", targets);
        return new Cli.Answer(anyDiffers ? Cli.DIFFERS : anyPending ? Cli.ATTENTION : Cli.OK, model, text);
    }

    private static String words(String state) {
        return switch (state) {
            case "done" -> "done: the file has the expected SHA-256";
            case "reboot-pending" -> "reboot pending: the replacement waits for the next reboot";
            case "kept-newer" -> "kept newer: the file in place is newer than the product's, which never downgrades it";
            default -> "differs: the file in place is not the one this product put there (left alone, or changed since)";
        };
    }

    /** Whether version {@code a} is higher than {@code b} (both "1.2.3.4"; false when either is unknown). */
    private static boolean newer(String a, String b) {
        if (a == null || b == null || a.isEmpty() || b.isEmpty()) {
            return false;
        }
        try {
            return io.inuse.pe.FileVersion.parse(a).compareTo(io.inuse.pe.FileVersion.parse(b)) > 0;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** A file's version and SHA-256; both null when it is absent. */
    private record Version(String version, String sha256) {
        String describe() {
            return sha256 == null ? "absent" : (version == null ? "unversioned" : version) + ", SHA-256 " + sha256;
        }
    }

    private Version version(String path) {
        try {
            String sha = machine.fileInfo(path).sha256();
            FileState state = FileState.read(path, machine.readFile(path, Machine.FILE_READ_MAX));
            return new Version(state.version() == null ? null : state.version().toString(), sha);
        } catch (SessionException e) {
            if (e.win32Error() == 2 || e.win32Error() == 3) {
                return new Version(null, null);
            }
            throw e;
        }
    }

    private List<PendingRename> pending() {
        List<PendingRename> all = new ArrayList<>();
        for (String name : new String[] {PendingRenames.VALUE, PendingRenames.VALUE_2}) {
            Optional<RegValue> raw = machine.regRead(RegRoot.HKLM, PendingRenames.KEY, name);
            if (raw.isEmpty()) {
                continue;
            }
            try {
                all.addAll(PendingRenames.decode(name, raw.get().data()).entries());
            } catch (PendingRenamesException e) {
                throw new Cli.Failure(Cli.BAD_DATA, "the registry value " + name + " is damaged (" + e.getMessage() + "): status cannot"
                        + " tell what waits for the reboot. Run 'inuse pending' to see it");
            }
        }
        return all;
    }
}
