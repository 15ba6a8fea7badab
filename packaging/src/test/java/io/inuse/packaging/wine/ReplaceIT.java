package io.inuse.packaging.wine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inuse.packaging.PackageBuilder;
import io.inuse.pe.FileVersion;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The replace action's other cases (issue 15), with the real broker and engine inside Wine's
 * msiexec: a newer file already in place, an install rolled back after the replace action (free,
 * and held with someone else's pending renames present), a target on a network drive, and a
 * damaged PendingFileRenameOperations value. PackageLifecycleIT has the plain install, upgrade
 * (free and held, with the reboot), downgrade and uninstall.
 */
class ReplaceIT {
    private static final String DLL = "MAPI32.DLL";
    private static final String TARGET = "C:\\windows\\system32\\" + DLL;
    private static final String PFRO = "PendingFileRenameOperations";
    private static final String P = "inuse: InuseReplace: ";
    private static WineTestBed bed;
    private static PackageBuilder.Result failingV1;
    private static PackageBuilder.Result failingV2;

    @BeforeAll
    static void prepare() throws Exception {
        bed = WineTestBed.get();
        failingV1 = FailingPackage.of(bed.tools, bed.v1, bed.work.resolve("packages/failing-v1"));
        failingV2 = FailingPackage.of(bed.tools, bed.v2, bed.work.resolve("packages/failing-v2"));
    }

    private static FileVersion v(PackageBuilder.Result pkg) {
        return pkg.payload().version();
    }

    private static ActionRun install(WinePrefix wine, String scenario, String step, PackageBuilder.Result pkg) throws Exception {
        Path log = bed.logFor(scenario, step);
        int exit = wine.msiexecLogged("/i", pkg.msi(), log, bed.javaHome);
        return new ActionRun(exit, WinePrefix.readLog(log), log, wine);
    }

    private static Path productFolder(WinePrefix wine) {
        return wine.root().resolve("drive_c/Program Files/inuse/MAPI32");
    }

    /** The operations of the journal's last run, BEGIN first (docs/journal.md). */
    private static List<String> lastRun(WinePrefix wine) throws Exception {
        List<String> lines = Files.readAllLines(productFolder(wine).resolve("state/journal.txt"), StandardCharsets.UTF_8);
        assertEquals("inuse-journal 1", lines.get(0));
        List<String> run = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            String operation = line.substring(0, line.indexOf('\t'));
            if (operation.equals("BEGIN")) {
                run.clear();
            }
            run.add(operation);
        }
        return run;
    }

    private static String journal(WinePrefix wine) throws Exception {
        return Files.readString(productFolder(wine).resolve("state/journal.txt"), StandardCharsets.UTF_8);
    }

    private static byte[] multiSz(String... strings) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String s : strings) {
            out.writeBytes((s + "\0").getBytes(StandardCharsets.UTF_16LE));
        }
        out.writeBytes(new byte[] {0, 0});
        return out.toByteArray();
    }

    @Test
    void aNewerFileInPlaceIsLeftAsItIs() throws Exception {
        long start = System.nanoTime();
        String scenario = "replace-newer-present";
        bed.scenario(scenario, wine -> {
            Path inPlace = WinePrefix.findIgnoringCase(wine.system32(), DLL).orElse(wine.system32().resolve(DLL));
            Files.copy(bed.v2.payload().path(), inPlace, StandardCopyOption.REPLACE_EXISTING);
            ActionRun run = install(wine, scenario, "install-v1", bed.v1);
            assertEquals(0, run.exit(), run.logFile().toString());
            assertEquals(Optional.of(v(bed.v2)), wine.system32Version(DLL), "the newer file stays");
            run.contains(P + "[System]\\" + DLL + " (" + TARGET + "): skip, a newer version is in place: the file in place, ");
            run.contains(v(bed.v2) + ", is newer than the package's " + v(bed.v1) + ": inuse never downgrades; left as it is");
            run.contains("inuse: InuseRebootCheck: nothing of this product is pending: no reboot asked for");
            assertTrue(wine.isRegistered(bed.v1.productCode()));
            assertEquals(Optional.empty(), wine.pendingFileRenameOperations());
            assertFalse(Files.exists(productFolder(wine).resolve("backup/System/" + DLL)), "nothing backed up");
            assertEquals(List.of("BEGIN", "COMPLETED"), lastRun(wine), journal(wine));
            ActionRun.report("replace: newer file in place", start, "exit=0 " + DLL + " stays " + v(bed.v2) + " (package "
                    + v(bed.v1) + "), no backup, pending=none, journal BEGIN COMPLETED");
        });
    }

    @Test
    void aFailureAfterTheReplacementPutsTheEarlierFileBack() throws Exception {
        long start = System.nanoTime();
        String scenario = "replace-rollback-free";
        bed.scenario(scenario, wine -> {
            Optional<FileVersion> original = wine.system32Version(DLL);
            assertTrue(original.isPresent(), "the clean prefix has Wine's own " + DLL);
            // a first install that fails after the replacement: the original back from its backup
            ActionRun run = install(wine, scenario, "install-failing-v1", failingV1);
            assertEquals(1603, run.exit(), run.logFile().toString());
            run.contains(P + "replaced " + TARGET + ": ");
            run.contains("inuse: InuseReplaceRollback: rollback: restored " + TARGET + " from C:\\Program Files\\inuse\\MAPI32\\backup\\System\\" + DLL);
            assertEquals(original, wine.system32Version(DLL), "the original is back");
            assertFalse(wine.isRegistered(bed.v1.productCode()));
            assertEquals(Optional.empty(), wine.pendingFileRenameOperations());
            assertEquals(List.of("BEGIN", "BACKUP", "QUEUED", "REPLACED", "COMPLETED", "RESTORED", "ROLLED_BACK"), lastRun(wine), journal(wine));

            // v1 installed, then an upgrade that fails after replacing it: v1 back from the run's rollback copy
            assertEquals(0, install(wine, scenario, "install-v1", bed.v1).exit());
            assertEquals(Optional.of(v(bed.v1)), wine.system32Version(DLL));
            bed.removalRestoresNothing(wine);
            ActionRun upgrade = install(wine, scenario, "install-failing-v2", failingV2);
            assertEquals(1603, upgrade.exit(), upgrade.logFile().toString());
            upgrade.contains(P + "replaced " + TARGET + ": ");
            upgrade.contains("inuse: InuseReplaceRollback: rollback: restored " + TARGET + " from C:\\Program Files\\inuse\\MAPI32\\rollback\\System\\" + DLL);
            assertEquals(Optional.of(v(bed.v1)), wine.system32Version(DLL), "v1 is back");
            // RemoveExistingProducts runs after InstallValidate, before the install's own transaction: Windows Installer
            // does not roll the old product's removal back (WiX, MajorUpgrade afterInstallValidate), and Wine neither; here
            // Wine's removal stopped before it changed anything (WineTestBed.removalRestoresNothing), so v1 stays registered
            assertTrue(wine.isRegistered(bed.v1.productCode()), "Wine's removal of v1 stopped at its first inuse action");
            assertFalse(wine.isRegistered(bed.v2.productCode()));
            assertEquals(Optional.empty(), wine.pendingFileRenameOperations());
            assertEquals(List.of("BEGIN", "SAVED", "QUEUED", "REPLACED", "COMPLETED", "RESTORED", "ROLLED_BACK"), lastRun(wine), journal(wine));
            assertEquals(original, WinePrefix.versionOf(productFolder(wine).resolve("backup/System/" + DLL)), "the original's backup stays");
            ActionRun.report("replace: rollback after the replacement", start, "first install: exit=1603, " + DLL + " back to "
                    + original.get() + "; upgrade: exit=1603, " + DLL + " back to " + v(bed.v1) + "; pending=none");
        });
    }

    @Test
    void aRolledBackQueuedReplacementLeavesSomeoneElsesEntriesByteForByte() throws Exception {
        long start = System.nanoTime();
        String scenario = "replace-rollback-locked-foreign";
        bed.scenario(scenario, wine -> {
            assertEquals(0, install(wine, scenario, "install-v1", bed.v1).exit());
            // another program's move onto the same target among them: left as it is, and ours queued after it
            String[] foreign = {"\\??\\C:\\foreign\\new.dll", "!\\??\\C:\\foreign\\app.dll", "*1\\??\\C:\\foreign\\old.tmp", "",
                "\\??\\C:\\foreign\\mapi.tmp", "!\\??\\" + TARGET};
            wine.setRawValue(WinePrefix.SESSION_MANAGER, PFRO, 7, multiSz(foreign));
            String before = wine.rawValue(WinePrefix.SESSION_MANAGER, PFRO);
            bed.removalRestoresNothing(wine);
            String after;
            List<String> appended;
            try (Locker locker = Locker.start(wine, bed.wintest, TARGET, bed.logFor(scenario, "locker").getParent())) {
                ActionRun failed = install(wine, scenario, "install-failing-v2", failingV2);
                assertEquals(1603, failed.exit(), failed.logFile().toString());
                failed.contains(P + "queued " + TARGET + ".inuse-1.tmp -> " + TARGET);
                failed.contains("inuse: InuseReplaceRollback: rollback: ");
                after = wine.rawValue(WinePrefix.SESSION_MANAGER, PFRO);
                assertEquals(before, after, "someone else's entries byte for byte, ours gone");
                assertEquals(Optional.of(v(bed.v1)), wine.system32Version(DLL), "v1 stays");
                assertFalse(Files.exists(wine.system32().resolve(DLL + ".inuse-1.tmp")), "the temporary copy is deleted");
                assertEquals(List.of("BEGIN", "QUEUED", "COMPLETED", "CANCELLED", "ROLLED_BACK"), lastRun(wine), journal(wine));

                // the same upgrade without the failure: ours is appended after theirs, theirs unchanged
                ActionRun upgrade = install(wine, scenario, "install-v2", bed.v2);
                assertEquals(3010, upgrade.exit(), upgrade.logFile().toString());
                upgrade.contains(P + "PendingFileRenameOperations already holds another program's move onto " + TARGET
                        + " (from C:\\foreign\\mapi.tmp): it is left as it is, and this product's is queued after it");
                assertTrue(locker.running(), "nothing was rebooted or ended: the locker still runs");
                appended = wine.pendingFileRenameOperations().orElseThrow();
                List<String> expected = new ArrayList<>(List.of(foreign));
                expected.addAll(appended.subList(foreign.length, appended.size()));
                assertEquals(expected, appended);
                assertEquals(2, appended.size() - foreign.length, "one entry of ours: " + appended);
                assertTrue(appended.get(foreign.length).matches("\\\\\\?\\?\\\\C:\\\\windows\\\\system32\\\\MAPI32\\.DLL\\.inuse-\\d+\\.tmp"),
                        appended.toString());
                assertEquals("!\\??\\" + TARGET, appended.get(foreign.length + 1));
                String hexBefore = before.substring(before.indexOf("hex=") + 4);
                String hexNow = wine.rawValue(WinePrefix.SESSION_MANAGER, PFRO);
                assertTrue(hexNow.substring(hexNow.indexOf("hex=") + 4).startsWith(hexBefore.substring(0, hexBefore.length() - 4)),
                        "their bytes are the value's first bytes");
            }
            ActionRun.report("replace: rollback of a queued replacement, foreign entries", start, "rolled back: exit=1603, "
                    + PFRO + " " + after + " as before; upgrade: exit=3010, " + appended);
        });
    }

    @Test
    void aRepairBeforeTheRebootSupersedesTheQueuedReplacement() throws Exception {
        long start = System.nanoTime();
        String scenario = "replace-supersede-before-reboot";
        bed.scenario(scenario, wine -> {
            assertEquals(0, install(wine, scenario, "install-v1", bed.v1).exit());
            try (Locker locker = Locker.start(wine, bed.wintest, TARGET, bed.logFor(scenario, "locker").getParent())) {
                assertEquals(3010, install(wine, scenario, "install-v2-locked", bed.v2).exit());
            }
            assertEquals(List.of("\\??\\" + TARGET + ".inuse-1.tmp", "!\\??\\" + TARGET), wine.pendingFileRenameOperations().orElseThrow());
            // the locker is gone, no reboot yet: a repair puts v2 in place at once and removes the queued entry,
            // which would otherwise stay pending (a stale "reboot pending") and move a copy over v2 at boot
            Path log = bed.logFor(scenario, "repair-v2-free");
            int exit = wine.msiexecLogged("/i", bed.v2.msi(), log, bed.javaHome, "REINSTALL=ALL", "REINSTALLMODE=omus");
            ActionRun repair = new ActionRun(exit, WinePrefix.readLog(log), log, wine);
            assertEquals(0, repair.exit(), "nothing of this product is pending any more: no 3010 " + repair.logFile());
            repair.contains(P + "superseded an earlier run's pending \\??\\" + TARGET + ".inuse-1.tmp -> !\\??\\" + TARGET + " ("
                    + v(bed.v1) + " -> " + v(bed.v2) + "): it would undo this run at the next boot");
            repair.contains("inuse: InuseRebootCheck: nothing of this product is pending: no reboot asked for");
            assertEquals(Optional.of(v(bed.v2)), wine.system32Version(DLL));
            assertEquals(Optional.empty(), wine.pendingFileRenameOperations());
            assertEquals(List.of("BEGIN", "SUPERSEDED", "SAVED", "QUEUED", "REPLACED", "COMPLETED"), lastRun(wine), journal(wine));
            wine.reboot();
            assertEquals(Optional.of(v(bed.v2)), wine.system32Version(DLL), "v2 after the reboot");
            assertEquals(Optional.empty(), wine.pendingFileRenameOperations());
            ActionRun.report("replace: a repair before the reboot", start, "v2 queued over the held v1 (3010); the repair with the file"
                    + " free: exit=0, the queued entry superseded, " + DLL + "=" + v(bed.v2) + " before and after the reboot, pending=none");
        });
    }

    @Test
    void aTargetOnANetworkDriveIsRefusedBeforeAnythingChanges() throws Exception {
        long start = System.nanoTime();
        String scenario = "replace-network-target";
        bed.scenario(scenario, wine -> {
            assertEquals(0, install(wine, scenario, "install-v1", bed.v1).exit());
            wine.driveTypeNetwork('c');
            ActionRun run = install(wine, scenario, "install-v2", bed.v2);
            assertEquals(1603, run.exit(), run.logFile().toString());
            // the detect action refuses, before RemoveExistingProducts: v1 stays installed, not only its file
            run.contains("inuse: InuseDetect: [System]\\" + DLL + " (" + TARGET + "): refused, on a network drive or share: ");
            run.contains(". The install stops before anything changes");
            assertFalse(run.log().matches("(?s).*Action start [0-9:]+: RemoveExistingProducts\\..*"), "RemoveExistingProducts did not run");
            assertEquals(Optional.of(v(bed.v1)), wine.system32Version(DLL), "nothing changed");
            assertTrue(wine.isRegistered(bed.v1.productCode()), "v1 is still installed");
            assertFalse(wine.isRegistered(bed.v2.productCode()));
            assertEquals(Optional.empty(), wine.pendingFileRenameOperations());
            assertEquals(List.of("BEGIN", "BACKUP", "QUEUED", "REPLACED", "COMPLETED"), lastRun(wine), "only v1's run: " + journal(wine));
            ActionRun.report("replace: target on a network drive", start, "exit=1603, refused by InuseDetect before"
                    + " RemoveExistingProducts: v1 " + v(bed.v1) + " still installed and in place, pending=none");
        });
    }

    @Test
    void aDamagedPendingValueStopsTheQueuedReplacementAndIsKept() throws Exception {
        long start = System.nanoTime();
        String scenario = "replace-damaged-pending-value";
        bed.scenario(scenario, wine -> {
            assertEquals(0, install(wine, scenario, "install-v1", bed.v1).exit());
            // someone else's damage: bytes after the list's end. MoveFileExW would append ours to it, and Wine
            // then joins our source to "junk" (measured): the replacement would never happen at boot
            byte[] damaged = ("\\??\\C:\\foreign\\a.tmp\0\\??\\C:\\foreign\\a.dll\0\0junk\0").getBytes(StandardCharsets.UTF_16LE);
            wine.setRawValue(WinePrefix.SESSION_MANAGER, PFRO, 7, damaged);
            String before = wine.rawValue(WinePrefix.SESSION_MANAGER, PFRO);
            bed.removalRestoresNothing(wine);
            try (Locker locker = Locker.start(wine, bed.wintest, TARGET, bed.logFor(scenario, "locker").getParent())) {
                ActionRun run = install(wine, scenario, "install-v2", bed.v2);
                assertEquals(1603, run.exit(), run.logFile().toString());
                run.contains(P + PFRO + " is corrupt at byte offset 86: ");
                run.contains("The value is other software's and is left as it is: restart the machine (Windows empties the value at boot),"
                        + " or export HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager and remove the damaged value. So no"
                        + " replacement is queued and nothing was replaced: run the install again after that");
                run.contains("inuse: InuseReplaceRollback: rollback: nothing of this install's to undo");
                assertEquals(before, wine.rawValue(WinePrefix.SESSION_MANAGER, PFRO), "the damaged value byte for byte");
                assertEquals(Optional.of(v(bed.v1)), wine.system32Version(DLL), "v1 stays");
                assertFalse(Files.exists(wine.system32().resolve(DLL + ".inuse-1.tmp")), "no temporary copy");
                assertFalse(wine.isRegistered(bed.v2.productCode()));
            }
            ActionRun.report("replace: damaged " + PFRO, start, "exit=1603, the line, the value kept byte for byte, v1 stays");
        });
    }
}
