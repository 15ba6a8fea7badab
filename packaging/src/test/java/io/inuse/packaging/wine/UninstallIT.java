package io.inuse.packaging.wine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inuse.pe.FileVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The uninstall, upgrades and repeated installs (issue 16) on a Wine machine, with the real broker and
 * engine: each asserts the exit code, the DLL on disk by version, the log, the journal and the exact
 * PendingFileRenameOperations. The original is Wine's own {@code mapi32.dll} (1.0.0.0), which the clean
 * prefix has; the locker holds the product's installed DLL (Wine's builtin is never held: WINE-TESTBED.md).
 */
class UninstallIT {
    private static final String DLL = "MAPI32.DLL";
    private static final String TARGET = "C:\\windows\\system32\\" + DLL;
    private static final String RESTORE_TEMP = TARGET + ".inuse-restore-1.tmp";
    private static final String PRODUCT = "C:\\Program Files\\inuse\\MAPI32";
    private static WineTestBed bed;

    @BeforeAll
    static void prepare() throws Exception {
        bed = WineTestBed.get();
    }

    private static ActionRun run(WinePrefix wine, String scenario, String step, String action, io.inuse.packaging.PackageBuilder.Result pkg,
            String... more) throws Exception {
        Path log = bed.logFor(scenario, step);
        String[] properties = new String[more.length + 1];
        properties[0] = bed.javaHome;
        System.arraycopy(more, 0, properties, 1, more.length);
        int exit = wine.msiexecLogged(action, pkg.msi(), log, properties);
        return new ActionRun(exit, WinePrefix.readLog(log), log, wine);
    }

    private static Path product(WinePrefix wine) {
        return wine.root().resolve("drive_c/Program Files/inuse/MAPI32");
    }

    private static List<String> journal(WinePrefix wine) throws Exception {
        return Files.readAllLines(product(wine).resolve("state/journal.txt"));
    }

    private static FileVersion v(io.inuse.packaging.PackageBuilder.Result pkg) {
        return pkg.payload().version();
    }

    /** Nothing of the product is left: no folder, no temporary copy, nothing pending, not registered. */
    private static void nothingLeft(WinePrefix wine) throws Exception {
        assertFalse(Files.exists(wine.root().resolve("drive_c/Program Files/inuse")), "Program Files\\inuse is gone");
        assertFalse(Files.exists(wine.root().resolve("drive_c/windows/system32/" + DLL + ".inuse-restore-1.tmp")), "no restore copy left");
        assertEquals(Optional.empty(), wine.pendingFileRenameOperations(), "nothing pending");
        assertFalse(wine.isRegistered(bed.v1.productCode()));
        assertFalse(wine.isRegistered(bed.v2.productCode()));
    }

    /** The uninstall's entries: the restore first (ours, replace-existing), then only deletes of the product's own files and folders. */
    private static List<String> restoreQueued(WinePrefix wine) throws Exception {
        List<String> pending = wine.pendingFileRenameOperations().orElseThrow(() -> new AssertionError("nothing pending"));
        assertEquals(List.of("\\??\\" + RESTORE_TEMP, "!\\??\\" + TARGET), pending.subList(0, 2), "the restore first: " + pending);
        for (int i = 2; i < pending.size(); i += 2) {
            assertTrue(pending.get(i).startsWith("\\??\\C:\\Program Files\\inuse"), "a delete of the product's own: " + pending);
            assertEquals("", pending.get(i + 1), "a delete: " + pending);
        }
        assertTrue(pending.contains("\\??\\" + PRODUCT + "\\backup\\System\\" + DLL), "the backup's delete: " + pending);
        assertTrue(pending.contains("\\??\\" + PRODUCT + "\\state\\journal.txt"), "the journal's delete: " + pending);
        return pending;
    }

    @Test
    void uninstallWhileHeldRestoresTheOriginalAtTheReboot() throws Exception {
        long start = System.nanoTime();
        String scenario = "uninstall-held";
        bed.scenario(scenario, wine -> {
            Optional<FileVersion> original = wine.system32Version(DLL);
            assertEquals(0, run(wine, scenario, "install-v1", "/i", bed.v1).exit());
            ActionRun uninstall;
            List<String> pending;
            try (Locker locker = Locker.start(wine, bed.wintest, TARGET, bed.logFor(scenario, "locker").getParent())) {
                uninstall = run(wine, scenario, "uninstall", "/x", bed.v1);
                assertEquals(3010, uninstall.exit(), "the restore waits for the reboot");
                uninstall.contains("inuse: InuseDetect: [System]\\" + DLL + " (" + TARGET + "): locked");
                uninstall.contains("inuse: InuseRestore: uninstall: " + TARGET + " is held: its restore from " + PRODUCT + "\\backup\\System\\"
                        + DLL + " (" + original.get() + ") is queued for the next reboot");
                uninstall.contains("inuse: InuseRestore: 0 restored now, 1 queued for the next reboot, 0 left as they were");
                uninstall.contains("inuse: InuseRestoreCommit: clean-up: the restore waits for the next reboot");
                uninstall.contains("inuse: InuseRebootCheck: 1 replacement(s) of this product pending");
                assertEquals(Optional.of(v(bed.v1)), wine.system32Version(DLL), "ours stays until the reboot");
                assertEquals(original, wine.system32Version(DLL + ".inuse-restore-1.tmp"), "the restore copy is the original");
                pending = restoreQueued(wine);
                List<String> lines = journal(wine);
                assertTrue(lines.stream().anyMatch(l -> l.startsWith("BEGIN\t" + bed.v1.productCode() + "\tuninstall\t")), lines.toString());
                assertTrue(lines.stream().anyMatch(l -> l.startsWith("RESTORED\t" + bed.v1.productCode() + "\t" + TARGET + "\t")), lines.toString());
                assertTrue(lines.stream().anyMatch(l -> l.startsWith("QUEUED\t" + bed.v1.productCode() + "\t" + TARGET + "\t" + RESTORE_TEMP
                        + "\t\\??\\" + RESTORE_TEMP + "\t!\\??\\" + TARGET + "\t" + v(bed.v1) + "\t" + original.get() + "\t")), lines.toString());
                assertTrue(locker.running(), "nothing ended the locker");
            }
            wine.reboot();
            assertEquals(original, wine.system32Version(DLL), "the original after the reboot");
            nothingLeft(wine);
            ActionRun.report("uninstall while held", start, "exit=3010, " + DLL + " " + v(bed.v1) + " until the reboot, pending="
                    + pending.size() / 2 + " entries (the restore, then the product's own deletes); after the reboot " + original.get()
                    + ", Program Files\\inuse gone, pending=none");
        });
    }

    @Test
    void uninstallWhileHeldThenReinstallKeepsTheReinstalledFileOverTheReboot() throws Exception {
        long start = System.nanoTime();
        String scenario = "uninstall-held-reinstall";
        bed.scenario(scenario, wine -> {
            Optional<FileVersion> original = wine.system32Version(DLL);
            assertEquals(0, run(wine, scenario, "install-v1", "/i", bed.v1).exit());
            try (Locker locker = Locker.start(wine, bed.wintest, TARGET, bed.logFor(scenario, "locker").getParent())) {
                assertEquals(3010, run(wine, scenario, "uninstall", "/x", bed.v1).exit());
                restoreQueued(wine);
                ActionRun reinstall = run(wine, scenario, "reinstall-v1", "/i", bed.v1);
                // the uninstall's queued restore and deletes would undo the reinstall at the boot: superseded, each logged
                reinstall.contains("inuse: InuseReplace: superseded an earlier run's pending \\??\\" + RESTORE_TEMP + " -> !\\??\\" + TARGET);
                reinstall.contains("inuse: InuseReplace: superseded an earlier run's pending \\??\\" + PRODUCT + "\\state\\journal.txt -> ");
                assertEquals(0, reinstall.exit(), "ours is in place already: nothing to queue");
                // the reinstall's run: the uninstall's restore and its state's deletes superseded, each journalled first
                List<String> ops = ActionRun.lastRunOps(wine);
                assertTrue(ops.stream().filter("SUPERSEDED"::equals).count() >= 3, "the restore, the backup's and the journal's deletes: " + ops);
                assertEquals("COMPLETED", ops.get(ops.size() - 1), ops.toString());
                assertEquals(Optional.empty(), wine.pendingFileRenameOperations(), "nothing of the uninstall is left pending");
                assertTrue(wine.isRegistered(bed.v1.productCode()));
            }
            wine.reboot();
            assertEquals(Optional.of(v(bed.v1)), wine.system32Version(DLL), "the reinstalled file is still there after the reboot");
            assertEquals(original, WinePrefix.versionOf(product(wine).resolve("backup/System/" + DLL)), "the original is still kept");
            // and the original still comes back at the next uninstall
            ActionRun uninstall = run(wine, scenario, "uninstall-again", "/x", bed.v1);
            assertEquals(0, uninstall.exit());
            assertEquals(original, wine.system32Version(DLL));
            nothingLeft(wine);
            ActionRun.report("uninstall held, reinstall, reboot", start, "exit=3010 then 0, after the reboot " + DLL + "=" + v(bed.v1)
                    + " (reinstalled, kept), pending=none; uninstalled again: " + original.get());
        });
    }

    @Test
    void majorUpgradeWhileHeldThenUninstallAfterTheReboot() throws Exception {
        long start = System.nanoTime();
        String scenario = "upgrade-held-uninstall";
        bed.scenario(scenario, wine -> {
            bed.registerRuntime(wine);
            Optional<FileVersion> original = wine.system32Version(DLL);
            assertEquals(0, run(wine, scenario, "install-v1", "/i", bed.v1).exit());
            try (Locker locker = Locker.start(wine, bed.wintest, TARGET, bed.logFor(scenario, "locker").getParent())) {
                ActionRun upgrade = run(wine, scenario, "install-v2", "/i", bed.v2);
                assertEquals(3010, upgrade.exit());
                // whatever the removal of v1 queued (under Wine a plain uninstall: see WineTestBed.registerRuntime), v2's
                // replacement is the one entry left
                ActionRun.ourReplacementPending(wine, TARGET);
                assertFalse(wine.isRegistered(bed.v1.productCode()), "the upgrade removed v1");
            }
            wine.reboot();
            assertEquals(Optional.of(v(bed.v2)), wine.system32Version(DLL));
            assertEquals(original, WinePrefix.versionOf(product(wine).resolve("backup/System/" + DLL)), "the original survived the upgrade");
            ActionRun uninstall = run(wine, scenario, "uninstall-v2", "/x", bed.v2);
            assertEquals(0, uninstall.exit());
            uninstall.contains("inuse: InuseRestore: 1 restored now, 0 queued for the next reboot, 0 left as they were");
            assertEquals(original, wine.system32Version(DLL), "the original is back");
            nothingLeft(wine);
            ActionRun.report("major upgrade held, reboot, uninstall", start, "3010 with one pending entry (v2's), after the reboot "
                    + v(bed.v2) + ", uninstall 0 -> " + original.get() + ", nothing left");
        });
    }

    @Test
    void theUpgradesRemovalOfTheEarlierVersionRestoresNothing() throws Exception {
        long start = System.nanoTime();
        String scenario = "upgrade-removal";
        bed.scenario(scenario, wine -> {
            Optional<FileVersion> original = wine.system32Version(DLL);
            assertEquals(0, run(wine, scenario, "install-v1", "/i", bed.v1).exit());
            List<String> before = journal(wine);
            // the removal as Windows' RemoveExistingProducts runs it inside v2's install: UPGRADINGPRODUCTCODE set, and none
            // of the command line's properties (no runtime): no inuse action runs, nothing is restored, the state stays
            Path log = bed.logFor(scenario, "remove-v1-for-upgrade");
            int exit = wine.msiexecLogged("/x", bed.v1.msi(), log, "UPGRADINGPRODUCTCODE=" + bed.v2.productCode());
            assertEquals(0, exit);
            String text = WinePrefix.readLog(log);
            assertFalse(text.contains("inuse broker:") || text.contains("inuse: "), "no inuse action ran: " + log);
            assertEquals(Optional.of(v(bed.v1)), wine.system32Version(DLL), "v1's file stays for the new version");
            assertEquals(original, WinePrefix.versionOf(product(wine).resolve("backup/System/" + DLL)), "the original's backup stays");
            assertEquals(before, journal(wine), "the journal is handed on as it was");
            assertFalse(wine.isRegistered(bed.v1.productCode()));
            // the new version takes them over: it replaces v1's file (its own earlier version, no new backup), and its
            // uninstall puts the original back
            ActionRun install = run(wine, scenario, "install-v2", "/i", bed.v2);
            assertEquals(0, install.exit());
            install.contains("no backup, the file in place is this product's own (the backup of the original, " + original.get() + ", is kept)");
            assertEquals(Optional.of(v(bed.v2)), wine.system32Version(DLL));
            assertEquals(0, run(wine, scenario, "uninstall-v2", "/x", bed.v2).exit());
            assertEquals(original, wine.system32Version(DLL), "the original is back");
            nothingLeft(wine);
            ActionRun.report("the upgrade's removal of v1", start, "exit=0, no inuse action, " + v(bed.v1) + " and the backup and journal kept;"
                    + " v2 took them over; its uninstall put " + original.get() + " back");
        });
    }

    @Test
    void aFileSomeoneElsePutThereIsLeftAlone() throws Exception {
        long start = System.nanoTime();
        String scenario = "uninstall-foreign";
        bed.scenario(scenario, wine -> {
            Optional<FileVersion> original = wine.system32Version(DLL);
            assertEquals(0, run(wine, scenario, "install-v1", "/i", bed.v1).exit());
            // another product (say Windows Update) puts its own file there after the install
            Path system32 = wine.root().resolve("drive_c/windows/system32");
            Files.copy(system32.resolve("version.dll"), system32.resolve(DLL), StandardCopyOption.REPLACE_EXISTING);
            Optional<FileVersion> theirs = wine.system32Version(DLL);
            byte[] bytes = Files.readAllBytes(system32.resolve(DLL));
            ActionRun uninstall = run(wine, scenario, "uninstall", "/x", bed.v1);
            assertEquals(0, uninstall.exit());
            uninstall.contains("inuse: InuseRestore: uninstall: " + TARGET + " is " + theirs.get() + ", not the file this product put there");
            uninstall.contains("not the file this product put there (SHA-256 ");
            uninstall.contains("Windows Update or another product replaced it since, so it is left as it is");
            uninstall.contains("inuse: InuseRestore: 0 restored now, 0 queued for the next reboot, 1 left as they were");
            assertTrue(java.util.Arrays.equals(bytes, Files.readAllBytes(system32.resolve(DLL))), "their file, byte for byte");
            // the original is not back: its backup (and the journal) stay, and the log says where; nothing is pending
            uninstall.contains("inuse: InuseRestoreCommit: clean-up: " + TARGET + " does not hold the original (");
            uninstall.contains("the original's backup stays in " + PRODUCT + "\\backup");
            assertEquals(original, WinePrefix.versionOf(product(wine).resolve("backup/System/" + DLL)), "the original is kept");
            assertFalse(wine.isRegistered(bed.v1.productCode()));
            assertEquals(Optional.empty(), wine.pendingFileRenameOperations());
            ActionRun.report("someone else's file before uninstall", start, "exit=0, " + DLL + " " + theirs.get()
                    + " left byte for byte, logged; the original " + original.get() + " kept in the backup, said so");
        });
    }

    @Test
    void threeInstallsInARowWhileHeldQueueOneEntry() throws Exception {
        long start = System.nanoTime();
        String scenario = "three-installs-held";
        bed.scenario(scenario, wine -> {
            bed.registerRuntime(wine);
            assertEquals(0, run(wine, scenario, "install-v1", "/i", bed.v1).exit());
            try (Locker locker = Locker.start(wine, bed.wintest, TARGET, bed.logFor(scenario, "locker").getParent())) {
                assertEquals(3010, run(wine, scenario, "install-v2", "/i", bed.v2).exit());
                ActionRun.ourReplacementPending(wine, TARGET);
                for (int n = 2; n <= 3; n++) {
                    ActionRun repair = run(wine, scenario, "repair-v2-" + n, "/i", bed.v2, "REINSTALL=ALL", "REINSTALLMODE=vomus");
                    assertEquals(3010, repair.exit(), "repair " + n);
                    repair.contains("inuse: InuseReplace: superseded an earlier run's pending \\??\\" + TARGET + ".inuse-");
                    List<String> pending = wine.pendingFileRenameOperations().orElseThrow(() -> new AssertionError("nothing pending"));
                    assertEquals(2, pending.size(), "one entry, not one per install: " + pending);
                    assertEquals("!\\??\\" + TARGET, pending.get(1));
                    assertTrue(pending.get(0).startsWith("\\??\\" + TARGET + ".inuse-"), pending.toString());
                }
                assertEquals(Optional.of(v(bed.v1)), wine.system32Version(DLL));
                // each repair superseded the run before it: its last run has one SUPERSEDED and one QUEUED move
                List<String> ops = ActionRun.lastRunOps(wine);
                assertEquals(1, ops.stream().filter("SUPERSEDED"::equals).count(), ops.toString());
                assertEquals(1, ops.stream().filter("QUEUED"::equals).count(), ops.toString());
            }
            wine.reboot();
            assertEquals(Optional.of(v(bed.v2)), wine.system32Version(DLL));
            assertEquals(Optional.empty(), wine.pendingFileRenameOperations());
            ActionRun.report("three installs in a row while held", start, "3010 x3, one pending entry each time, " + v(bed.v2) + " after the reboot");
        });
    }
}
