package io.inuse.packaging.wine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inuse.pe.FileVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The plugin's two-DLL example (packaging/plugin/src/it/two-dlls: MAPI32.DLL in System, MAPIAUX.DLL in
 * ProgramFiles\Example Mail\bin; the product id "Example Mail", its names and the policy default forceEqual=true given
 * in the POM), the MSI its sample project built, installed under Wine: while MAPI32.DLL is held, 3010, the free DLL
 * replaced at once, the held one at the simulated reboot, both originals back on uninstall; and on a machine where the
 * second DLL's folder does not exist yet, the folder made by the package, the DLL put there, both gone on uninstall.
 */
class TwoDllsIT {
    private static final String TARGET = "C:\\windows\\system32\\MAPI32.DLL";
    private static final Path EXAMPLE_MSI = Path.of(System.getProperty("inuse.repo", "..")).toAbsolutePath().normalize()
            .resolve("packaging/plugin/target/it/two-dlls/target/inuse-example-mail-1.1.0-x64.msi");   // the sample's own version
    /** The product's folder and key, named by the POM's productId (with a space in it). */
    private static final String PRODUCT = "drive_c/Program Files/inuse/Example Mail";
    private static final String PRODUCT_KEY = "SOFTWARE\\inuse\\Example Mail";
    private static final FileVersion OLD = new FileVersion(1, 0, 5, 0);
    private static final FileVersion NEW = new FileVersion(1, 1, 0, 0);
    private static WineTestBed bed;

    @BeforeAll
    static void prepare() throws Exception {
        bed = WineTestBed.get();
        assertTrue(Files.isRegularFile(EXAMPLE_MSI), EXAMPLE_MSI + " is built by the plugin's sample project two-dlls"
                + " (maven-invoker-plugin), which the reactor runs before this module");
    }

    @Test
    void heldAndFreeDllsOfOnePackage() throws Exception {
        long start = System.nanoTime();
        String scenario = "two-dlls";
        Path older = DemoPayloadAccess.build(bed, OLD, bed.work.resolve("two-dlls-original"));
        bed.scenario(scenario, wine -> {
            Path aux = wine.root().resolve("drive_c/Program Files/Example Mail/bin/MAPIAUX.DLL");
            Files.createDirectories(aux.getParent());
            Files.copy(older, aux);
            // a MAPI32.DLL of its own in place of Wine's built-in one (which Wine loads without holding the file)
            Path system32 = WinePrefix.findIgnoringCase(wine.system32(), "MAPI32.DLL").orElseThrow();
            Files.copy(older, system32, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Optional<FileVersion> original = Optional.of(OLD);
            assertEquals(original, wine.system32Version("MAPI32.DLL"));
            ActionRun install;
            try (Locker locker = Locker.start(wine, bed.wintest, TARGET, bed.logFor(scenario, "locker").getParent())) {
                Path log = bed.logFor(scenario, "install");
                install = new ActionRun(wine.msiexecLogged("/i", EXAMPLE_MSI, log, bed.javaHome), WinePrefix.readLog(log), log, wine);
                assertEquals(3010, install.exit(), log.toString());
                assertEquals(Optional.of(NEW), WinePrefix.versionOf(aux), "the free DLL is replaced at once");
                assertEquals(original, wine.system32Version("MAPI32.DLL"), "the held one waits for the reboot");
                ActionRun.ourReplacementPending(wine, TARGET);
            }
            install.contains("inuse: InuseReplace: 1 replaced now, 1 queued for the next reboot");
            // the POM's policy default, built into the package, reached the engine
            install.contains("policy: INUSE_WHEN_LOCKED=defer (default), INUSE_STRATEGY=reboot (default), INUSE_FORCE_EQUAL=1 (package)");
            // the product id names the folder of the staging copies, backups and journal, and the reboot record's key
            assertEquals(Optional.of(OLD), WinePrefix.versionOf(wine.root().resolve(PRODUCT + "/backup/ProgramFiles/Example Mail/bin/MAPIAUX.DLL")));
            assertTrue(Files.isRegularFile(wine.root().resolve(PRODUCT + "/state/journal.txt")), "the journal in the product's folder");
            String record = wine.rawValue(PRODUCT_KEY + "\\RebootPending\\System#MAPI32.DLL", "File");
            assertTrue(record.startsWith("type=1 "), "the reboot record under the product id's key: " + record);
            String arp = wine.wine("reg", "query", "HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Uninstall", "/s");
            assertTrue(arp.contains("Example Mail MAPI update") && arp.contains("Example Corp"), "ProductName and Publisher as the POM says: " + arp);
            // the command line of a product whose id has a space, started by its 8.3 path: it still finds the product's key
            // (HKLM\SOFTWARE\inuse\Example Mail\JavaHome, the runtime the install was given) by the folder's long name
            Files.writeString(wine.root().resolve("drive_c/inuse-short.bat"), "@for %%I in (\"C:\\Program Files\\inuse\\Example Mail"
                    + "\\bin\\inuse.exe\") do @echo %%~sI\r\n");
            String shortExe = wine.wine("cmd", "/c", "C:\\inuse-short.bat").strip();
            assertFalse(shortExe.contains("Example Mail"), "an 8.3 path: " + shortExe);
            CliIT.Cli status = CliIT.inuseAt(wine, shortExe, "status", "--verbose");
            assertEquals(1, status.code(), status.toString());
            assertTrue(status.err().contains("the runtime the product was installed with"), status.toString());
            assertTrue(status.out().contains("reboot pending"), status.toString());
            wine.reboot();
            assertEquals(Optional.of(NEW), wine.system32Version("MAPI32.DLL"), "replaced at the reboot");
            Path log = bed.logFor(scenario, "uninstall");
            assertEquals(0, wine.msiexecLogged("/x", EXAMPLE_MSI, log, bed.javaHome), log.toString());
            assertEquals(original, wine.system32Version("MAPI32.DLL"), "the original MAPI32.DLL is back");
            assertEquals(Optional.of(OLD), WinePrefix.versionOf(aux), "the original MAPIAUX.DLL is back");
            assertTrue(Files.isDirectory(aux.getParent()), "the folder that was there before the install stays, the original back in it");
            assertEquals(Optional.empty(), wine.pendingFileRenameOperations(), "nothing left pending");
            String left = wine.wine("reg", "query", "HKLM\\" + PRODUCT_KEY, "/s");
            assertFalse(left.contains("RebootPending"), "no reboot record left: " + left);
            ActionRun.report("two DLLs, one held", start, "3010: MAPIAUX.DLL 1.1.0.0 at once, MAPI32.DLL after the reboot; uninstall 0: "
                    + original.orElseThrow() + " and 1.0.5.0 back");
        });
    }

    @Test
    void aTargetFolderThatIsNotThereYetIsMadeAndRemovedAgain() throws Exception {
        long start = System.nanoTime();
        String scenario = "two-dlls-new-folder";
        Path older = DemoPayloadAccess.build(bed, OLD, bed.work.resolve(scenario + "-original"));
        bed.scenario(scenario, wine -> {
            Path folder = wine.root().resolve("drive_c/Program Files/Example Mail");
            Path aux = folder.resolve("bin/MAPIAUX.DLL");
            assertFalse(Files.exists(folder), "a fresh machine has no " + folder);
            Path system32 = WinePrefix.findIgnoringCase(wine.system32(), "MAPI32.DLL").orElseThrow();
            Files.copy(older, system32, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Path log = bed.logFor(scenario, "install");
            ActionRun install = new ActionRun(wine.msiexecLogged("/i", EXAMPLE_MSI, log, bed.javaHome), WinePrefix.readLog(log), log, wine);
            assertEquals(0, install.exit(), log.toString());
            assertEquals(Optional.of(NEW), WinePrefix.versionOf(aux), "MAPIAUX.DLL put into the folder the package made");
            assertEquals(Optional.of(NEW), wine.system32Version("MAPI32.DLL"), "MAPI32.DLL, free, replaced at once");
            install.contains("installed C:\\Program Files\\Example Mail\\bin\\MAPIAUX.DLL (1.1.0.0), where nothing was");
            assertFalse(Files.exists(wine.root().resolve(PRODUCT + "/backup/ProgramFiles/Example Mail/bin/MAPIAUX.DLL")),
                    "no original, no backup");
            Path uninstallLog = bed.logFor(scenario, "uninstall");
            assertEquals(0, wine.msiexecLogged("/x", EXAMPLE_MSI, uninstallLog, bed.javaHome), uninstallLog.toString());
            assertFalse(Files.exists(aux), "the DLL installed where nothing was is removed");
            assertFalse(Files.exists(folder), "every level the package made is removed when empty");
            assertEquals(Optional.of(OLD), wine.system32Version("MAPI32.DLL"), "the original MAPI32.DLL is back");
            assertEquals(Optional.empty(), wine.pendingFileRenameOperations(), "nothing left pending");
            ActionRun.report("two DLLs, a new folder", start, "0: " + folder.getFileName() + "\\bin made, MAPIAUX.DLL 1.1.0.0 in it;"
                    + " uninstall 0: both gone, MAPI32.DLL 1.0.5.0 back");
        });
    }
}
