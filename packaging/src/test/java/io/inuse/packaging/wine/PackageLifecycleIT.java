package io.inuse.packaging.wine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inuse.packaging.PackageBuilder;
import io.inuse.pe.FileVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The package's life on a Wine machine: install, upgrade with the DLL free and held, downgrade,
 * uninstall. Each scenario runs in its own copy of a clean prefix with the mapi32 override, so
 * the payload is really loaded, and asserts the full msiexec exit code, the file on disk by its
 * version (read with the product's PE reader), log lines and PendingFileRenameOperations.
 *
 * <p>The engine's actions run in every install here (INUSE_JAVA_HOME names the stand-in runtime);
 * EngineActionsIT is about them.
 *
 * <p>These scenarios pin Wine's own file replacement, which differs from Windows: Wine writes the
 * new file as msiXXXX.tmp and queues delete + rename, Windows moves the old file to
 * C:\Config.Msi\*.rbf and puts the new one in place at once (WINE-TESTBED.md).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PackageLifecycleIT {
    private static final String DLL = "MAPI32.DLL";
    private static final String DLL_WINDOWS_PATH = "C:\\windows\\system32\\" + DLL;
    private static final Pattern INSTALL_SUCCEEDED = Pattern.compile("Action ended [0-9:]+: INSTALL\\. Return value 1\\.");
    private static WineTestBed bed;

    @BeforeAll
    static void prepare() throws Exception {
        bed = WineTestBed.get();
    }

    private static FileVersion versionOf(PackageBuilder.Result result) {
        return result.payload().version();
    }

    private static String productCode(PackageBuilder.Result result) {
        return result.productCode();
    }

    private static int install(WinePrefix wine, PackageBuilder.Result pkg, Path log) throws Exception {
        return wine.msiexecLogged("/i", pkg.msi(), log, bed.javaHome);
    }

    private static String read(Path log) throws Exception {
        return WinePrefix.readLog(log);
    }

    private static void report(int number, String name, long startNanos, String outcome) {
        System.out.printf("SCENARIO %d %s: PASS %s (%.1f s)%n", number, name, outcome, (System.nanoTime() - startNanos) / 1e9);
    }

    @Test
    @Order(1)
    void freshInstallPutsV1InSystem32() throws Exception {
        long start = System.nanoTime();
        bed.scenario("1-fresh-install", wine -> {
            Optional<FileVersion> before = wine.system32Version(DLL);
            // Wine's own mapi32.dll, where the prefix has one, is 1.0.0.0: the package must be above it
            before.ifPresent(v -> assertTrue(v.compareTo(versionOf(bed.v1)) < 0, "prefix already holds " + DLL + " " + v));

            Path log = bed.logFor("1-fresh-install", "install-v1");
            assertEquals(0, install(wine, bed.v1, log));
            assertEquals(Optional.of(versionOf(bed.v1)), wine.system32Version(DLL));
            assertTrue(INSTALL_SUCCEEDED.matcher(read(log)).find(), "log says the install succeeded");
            assertTrue(read(log).contains("Property(S): ProductVersion = " + bed.v1.productVersion()));
            assertTrue(wine.isRegistered(productCode(bed.v1)));
            assertEquals(Optional.empty(), wine.pendingFileRenameOperations());
            // the file it replaced is kept as the original's backup, once, for rollback and uninstall
            Path backup = wine.root().resolve("drive_c/Program Files/inuse/MAPI32/backup/System/" + DLL);
            assertEquals(before, WinePrefix.versionOf(backup), "the original in the backup");
            assertTrue(read(log).contains("inuse: InuseReplace: kept the original " + DLL_WINDOWS_PATH + " ("), "the backup is logged");
            report(1, "fresh install", start, "exit=0 " + DLL + "=" + versionOf(bed.v1) + " (before: "
                    + before.map(Object::toString).orElse("absent") + ", kept in the backup) pending=none");
        });
    }

    @Test
    @Order(2)
    void upgradeWithNothingLoadedReplacesAtOnce() throws Exception {
        long start = System.nanoTime();
        bed.scenario("2-upgrade-free", wine -> {
            bed.registerRuntime(wine);
            assertEquals(0, install(wine, bed.v1, bed.logFor("2-upgrade-free", "install-v1")));
            Path log = bed.logFor("2-upgrade-free", "install-v2");
            assertEquals(0, install(wine, bed.v2, log));
            assertEquals(Optional.of(versionOf(bed.v2)), wine.system32Version(DLL));
            assertTrue(INSTALL_SUCCEEDED.matcher(read(log)).find());
            assertTrue(read(log).contains("Property(S): WIX_UPGRADE_DETECTED = " + productCode(bed.v1)), "v2 found v1 to upgrade");
            assertFalse(wine.isRegistered(productCode(bed.v1)), "the major upgrade removed v1's registration");
            assertTrue(wine.isRegistered(productCode(bed.v2)));
            assertEquals(Optional.empty(), wine.pendingFileRenameOperations());
            report(2, "upgrade, nothing loaded", start, "exit=0 " + DLL + "=" + versionOf(bed.v2) + " pending=none");
        });
    }

    @Test
    @Order(3)
    void upgradeWhileAProcessHoldsV1NeedsAReboot() throws Exception {
        long start = System.nanoTime();
        String scenario = "3-upgrade-locked";
        bed.scenario(scenario, wine -> {
            bed.registerRuntime(wine);
            assertEquals(0, install(wine, bed.v1, bed.logFor(scenario, "install-v1")));
            int exit;
            List<String> pending;
            try (Locker locker = Locker.start(wine, bed.wintest, DLL_WINDOWS_PATH, bed.logFor(scenario, "locker").getParent())) {
                assertTrue(locker.loadedLine.endsWith("version=" + versionOf(bed.v1)), "the locker runs our v1: " + locker.loadedLine);
                assertEquals("open failed error=32", wine.wintest("open-exclusive", DLL_WINDOWS_PATH).strip(),
                        "the DLL is locked (ERROR_SHARING_VIOLATION)");

                exit = install(wine, bed.v2, bed.logFor(scenario, "install-v2"));
                assertEquals(3010, exit, "REBOOT=ReallySuppress still ends with 3010: the caller decides when to reboot");
                String log = WinePrefix.readLog(bed.logFor(scenario, "install-v2"));
                assertTrue(log.contains("Property(S): REBOOT = ReallySuppress"), "the package suppresses every reboot");
                assertEquals(Optional.of(versionOf(bed.v1)), wine.system32Version(DLL), "v1 stays until the reboot");
                pending = wine.pendingFileRenameOperations().orElseThrow(() -> new AssertionError("no PendingFileRenameOperations"));
                // the replace action: the new file copied beside the target, then MoveFileExW(DELAY_UNTIL_REBOOT |
                // REPLACE_EXISTING): exactly one entry, ours, with the replace-existing marker
                String temp = DLL_WINDOWS_PATH + ".inuse-1.tmp";
                ActionRun.ourReplacementPending(wine, DLL_WINDOWS_PATH);
                assertEquals(Optional.of(versionOf(bed.v2)), wine.system32Version(DLL + ".inuse-1.tmp"), "the staged copy is v2");
                assertTrue(log.contains("inuse: InuseReplace: queued " + temp + " -> " + DLL_WINDOWS_PATH
                        + " for the next reboot (MoveFileEx DELAY_UNTIL_REBOOT | REPLACE_EXISTING)"), "the replace action queued it");
                assertTrue(log.contains("inuse: InuseRebootCheck: 1 replacement(s) of this product pending: asking Windows Installer for a"
                        + " reboot at the end (3010)"), "3010 comes from the reboot check");
                assertTrue(locker.running(), "under /qn nothing rebooted the machine or ended the locker");
                // the journal: the upgrade's run queued the replacement, with the locker that forced it and the reason
                Path journal = wine.root().resolve("drive_c/Program Files/inuse/MAPI32/state/journal.txt");
                List<String> lines = Files.readAllLines(journal);
                String queued = lines.stream().filter(l -> l.startsWith("QUEUED\t" + productCode(bed.v2) + "\t")).findFirst()
                        .orElseThrow(() -> new AssertionError("no QUEUED line of v2 in " + lines));
                List<String> fields = List.of(queued.split("\t", -1));
                assertEquals(List.of("QUEUED", productCode(bed.v2), DLL_WINDOWS_PATH, temp, "\\??\\" + temp, "!\\??\\" + DLL_WINDOWS_PATH,
                        versionOf(bed.v1).toString(), versionOf(bed.v2).toString()), fields.subList(0, 8), queued);
                String lockers = fields.get(8).toLowerCase();
                assertTrue(lockers.contains("|application|") && lockers.contains("\\wintest.exe|"), "the locker, an application: " + queued);
                assertEquals("COMPLETED\t" + productCode(bed.v2) + "\t", lines.get(lines.size() - 1).substring(0, 11 + productCode(bed.v2).length()),
                        "the run completed: " + lines);
            }
            // the locker has exited: Windows performs the renames at boot before any process starts
            wine.reboot();
            assertEquals(Optional.of(versionOf(bed.v2)), wine.system32Version(DLL), "v2 after the reboot");
            assertEquals(Optional.empty(), wine.pendingFileRenameOperations(), "the value is gone after the reboot");
            assertTrue(wine.wintest("open-exclusive", DLL_WINDOWS_PATH).contains("open ok"));
            report(3, "upgrade while a process holds v1", start, "exit=" + exit + " before reboot " + DLL + "="
                    + versionOf(bed.v1) + " pending=" + pending + ", after reboot " + DLL + "=" + versionOf(bed.v2) + " pending=none");
        });
    }

    @Test
    @Order(4)
    void olderVersionOverNewerIsRefused() throws Exception {
        long start = System.nanoTime();
        String scenario = "4-downgrade";
        bed.scenario(scenario, wine -> {
            assertEquals(0, install(wine, bed.v2, bed.logFor(scenario, "install-v2")));
            Path log = bed.logFor(scenario, "install-v1");
            int exit = install(wine, bed.v1, log);
            assertEquals(1603, exit);
            // under /qn the LaunchCondition's message goes to no log (WINE-TESTBED.md): the property shows the refusal
            assertTrue(read(log).contains("Property(S): WIX_DOWNGRADE_DETECTED = " + productCode(bed.v2)), "downgrade detected");
            assertFalse(INSTALL_SUCCEEDED.matcher(read(log)).find());
            assertEquals(Optional.of(versionOf(bed.v2)), wine.system32Version(DLL), "nothing changed");
            assertTrue(wine.isRegistered(productCode(bed.v2)));
            assertFalse(wine.isRegistered(productCode(bed.v1)));
            assertEquals(Optional.empty(), wine.pendingFileRenameOperations());
            report(4, "downgrade refused", start, "exit=" + exit + " WIX_DOWNGRADE_DETECTED " + DLL + "=" + versionOf(bed.v2) + " pending=none");
        });
    }

    @Test
    @Order(5)
    void uninstallPutsTheOriginalBackAndLeavesNothing() throws Exception {
        long start = System.nanoTime();
        String scenario = "5-uninstall";
        bed.scenario(scenario, wine -> {
            Optional<FileVersion> original = wine.system32Version(DLL);
            assertTrue(original.isPresent(), "the clean prefix has Wine's own " + DLL);
            assertEquals(0, install(wine, bed.v1, bed.logFor(scenario, "install-v1")));
            Path log = bed.logFor(scenario, "uninstall");
            // as from Settings: no property on the command line; the runtime is the one the install was given, which
            // the package kept under HKLM\\SOFTWARE\\inuse\\MAPI32 (JavaHome) and finds again (AppSearch)
            int exit = wine.msiexecLogged("/x", bed.v1.msi(), log);
            assertEquals(0, exit);
            String text = read(log);
            assertTrue(text.contains("Property(S): INUSE_JAVA_HOME_SAVED = " + bed.javaHome.substring("INUSE_JAVA_HOME=".length())),
                    "the kept runtime is found: " + log);
            assertTrue(text.contains("inuse broker: InuseRestore: runtime " + bed.javaHome.substring("INUSE_JAVA_HOME=".length())),
                    "the uninstall's actions run on it: " + log);
            assertTrue(INSTALL_SUCCEEDED.matcher(text).find());
            assertTrue(text.contains("Property(S): REMOVE = ALL"));
            // the uninstall puts Wine's own file back from the backup, at once (nothing holds it), and then removes
            // the product's backup, journal and folders: nothing of the product is left, and nothing is pending
            assertEquals(original, wine.system32Version(DLL), "the original is back");
            assertTrue(text.contains("inuse: InuseRestore: uninstall: restored " + DLL_WINDOWS_PATH + " from C:\\Program Files\\inuse\\MAPI32"
                    + "\\backup\\System\\" + DLL + " (" + original.get() + ")"), "the restore is logged");
            assertTrue(text.contains("inuse: InuseRestore: 1 restored now, 0 queued for the next reboot, 0 left as they were"));
            assertTrue(text.contains("inuse: InuseRestoreCommit: clean-up: the product's backups, journal and folders are removed"));
            assertTrue(text.contains("inuse: InuseRebootCheck: nothing of this product is pending: no reboot asked for"));
            assertFalse(Files.exists(wine.root().resolve("drive_c/Program Files/inuse")), "nothing of the product is left");
            assertFalse(Files.exists(wine.root().resolve("drive_c/windows/system32/" + DLL + ".inuse-restore-1.tmp")), "no temporary copy");
            assertFalse(wine.isRegistered(productCode(bed.v1)));
            assertEquals(Optional.empty(), wine.pendingFileRenameOperations());
            report(5, "uninstall", start, "exit=0 without INUSE_JAVA_HOME (the kept runtime), product unregistered, " + DLL + " " + versionOf(bed.v1) + " -> " + original.get()
                    + " (the original, from the backup), Program Files\\inuse removed, pending=none");
        });
    }
}
