package io.inuse.packaging.wine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inuse.pe.FileVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The plugin's two-DLL example (packaging/plugin/src/it/two-dlls: MAPI32.DLL in System, MAPIAUX.DLL in
 * ProgramFiles\Example Mail\bin), the MSI its sample project built, installed under Wine while MAPI32.DLL is held:
 * 3010, the free DLL replaced at once, the held one at the simulated reboot, and both originals back on uninstall.
 */
class TwoDllsIT {
    private static final String TARGET = "C:\\windows\\system32\\MAPI32.DLL";
    private static final Path EXAMPLE_MSI = Path.of(System.getProperty("inuse.repo", "..")).toAbsolutePath().normalize()
            .resolve("packaging/plugin/target/it/two-dlls/target/inuse-mapi32-1.1.0-x64.msi");   // the sample's own version, whatever -Drevision
    private static WineTestBed bed;

    @BeforeAll
    static void prepare() throws Exception {
        bed = WineTestBed.get();
    }

    @Test
    void heldAndFreeDllsOfOnePackage() throws Exception {
        long start = System.nanoTime();
        String scenario = "two-dlls";
        assertTrue(Files.isRegularFile(EXAMPLE_MSI), EXAMPLE_MSI + " is built by the plugin's sample project two-dlls (maven-invoker-plugin),"
                + " which the reactor runs before this module");
        Path older = DemoPayloadAccess.build(bed, new FileVersion(1, 0, 5, 0), bed.work.resolve("two-dlls-original"));
        bed.scenario(scenario, wine -> {
            Path aux = wine.root().resolve("drive_c/Program Files/Example Mail/bin/MAPIAUX.DLL");
            Files.createDirectories(aux.getParent());
            Files.copy(older, aux);
            // a MAPI32.DLL of its own in place of Wine's built-in one (which Wine loads without holding the file)
            Path system32 = WinePrefix.findIgnoringCase(wine.system32(), "MAPI32.DLL").orElseThrow();
            Files.copy(older, system32, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Optional<FileVersion> original = Optional.of(new FileVersion(1, 0, 5, 0));
            assertEquals(original, wine.system32Version("MAPI32.DLL"));
            ActionRun install;
            try (Locker locker = Locker.start(wine, bed.wintest, TARGET, bed.logFor(scenario, "locker").getParent())) {
                Path log = bed.logFor(scenario, "install");
                install = new ActionRun(wine.msiexecLogged("/i", EXAMPLE_MSI, log, bed.javaHome), WinePrefix.readLog(log), log, wine);
                assertEquals(3010, install.exit(), log.toString());
                assertEquals(Optional.of(new FileVersion(1, 1, 0, 0)), WinePrefix.versionOf(aux), "the free DLL is replaced at once");
                assertEquals(original, wine.system32Version("MAPI32.DLL"), "the held one waits for the reboot");
                ActionRun.ourReplacementPending(wine, TARGET);
            }
            install.contains("inuse: InuseReplace: 1 replaced now, 1 queued for the next reboot");
            wine.reboot();
            assertEquals(Optional.of(new FileVersion(1, 1, 0, 0)), wine.system32Version("MAPI32.DLL"), "replaced at the reboot");
            Path log = bed.logFor(scenario, "uninstall");
            assertEquals(0, wine.msiexecLogged("/x", EXAMPLE_MSI, log, bed.javaHome), log.toString());
            assertEquals(original, wine.system32Version("MAPI32.DLL"), "the original MAPI32.DLL is back");
            assertEquals(Optional.of(new FileVersion(1, 0, 5, 0)), WinePrefix.versionOf(aux), "the original MAPIAUX.DLL is back");
            assertEquals(Optional.empty(), wine.pendingFileRenameOperations(), "nothing left pending");
            ActionRun.report("two DLLs, one held", start, "3010: MAPIAUX.DLL 1.1.0.0 at once, MAPI32.DLL after the reboot; uninstall 0: "
                    + original.orElseThrow() + " and 1.0.5.0 back");
        });
    }
}
