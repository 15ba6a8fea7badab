package io.inuse.packaging.wine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inuse.packaging.PackageBuilder;
import io.inuse.packaging.Toolchain;
import io.inuse.pe.FileVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two packages built around differently named payloads are two products: each takes its
 * UpgradeCode, component GUID, ProductName and MSI file name from its payload's name
 * (io.inuse.packaging.ProductIdentity), so installing one leaves the other alone.
 *
 * <p>The second payload is the demo DLL of v2 (FileVersion 1.2.0.0) copied as INUSEDEMO.DLL into a
 * folder with a non-ASCII name: its version resource is what the package reads, and the folder
 * shows that a non-ASCII payload path builds (its 9-character name also gets a short name,
 * INUSED~1.DLL|INUSEDEMO.DLL).
 */
class SideBySideIT {
    private static final String SCENARIO = "side-by-side";
    private static final String OTHER_DLL = "INUSEDEMO.DLL";
    private static WineTestBed bed;
    private static PackageBuilder.Result other;

    @BeforeAll
    static void prepare() throws Exception {
        bed = WineTestBed.get();
        Path payload = bed.work.resolve("payloads-side-by-side/pâyload").resolve(OTHER_DLL);
        Files.createDirectories(payload.getParent());
        Files.copy(bed.v2.payload().path(), payload, StandardCopyOption.REPLACE_EXISTING);
        other = new PackageBuilder(new Toolchain(), bed.repo).build(
                PackageBuilder.Spec.of(bed.v2.productVersion(), Optional.of(payload), bed.engineJar, Optional.empty()),
                bed.work.resolve("packages-side-by-side"));
    }

    /** A property as the built MSI's Property table has it (msiinfo export), not as the build meant it. */
    private static String property(PackageBuilder.Result pkg, String name) {
        String table = new Toolchain().run(pkg.msi().getParent(), Toolchain.MSIINFO, List.of("export", pkg.msi().toString(), "Property"));
        return table.lines().map(l -> l.split("\t", -1)).filter(f -> f[0].equals(name)).map(f -> f[1]).findFirst()
                .orElseThrow(() -> new AssertionError(pkg.msi() + " has no property " + name));
    }

    @Test
    void twoDifferentlyNamedPayloadsInstallSideBySide() throws Exception {
        long start = System.nanoTime();
        assertEquals("inuse-inusedemo-" + bed.v2.productVersion() + "-x64.msi", other.msi().getFileName().toString());
        String upgradeV1 = property(bed.v1, "UpgradeCode");
        String upgradeOther = property(other, "UpgradeCode");
        assertEquals(bed.v1.identity().upgradeCode(), upgradeV1);
        assertEquals(other.identity().upgradeCode(), upgradeOther);
        assertNotEquals(upgradeV1, upgradeOther);
        assertEquals("inuse MAPI32 replacement", property(bed.v1, "ProductName"));
        assertEquals("inuse INUSEDEMO replacement", property(other, "ProductName"));
        assertEquals(bed.v1.productCode(), property(bed.v1, "ProductCode"));
        assertEquals(other.productCode(), property(other, "ProductCode"));
        assertNotEquals(bed.v1.productCode(), other.productCode());
        FileVersion v1Version = bed.v1.payload().version();
        FileVersion otherVersion = other.payload().version();
        assertNotEquals(v1Version, otherVersion, "two versions, so that each file is known by its own");

        bed.scenario(SCENARIO, wine -> {
            assertEquals(0, wine.msiexecLogged("/i", bed.v1.msi(), bed.logFor(SCENARIO, "install-mapi32"), bed.javaHome));
            Path log = bed.logFor(SCENARIO, "install-inusedemo");
            assertEquals(0, wine.msiexecLogged("/i", other.msi(), log, bed.javaHome));
            String text = WinePrefix.readLog(log);
            assertFalse(text.contains("Property(S): WIX_UPGRADE_DETECTED"), "the second package upgraded something away: " + log);
            assertFalse(text.contains("Property(S): WIX_DOWNGRADE_DETECTED"), log.toString());
            assertTrue(text.contains("Property(S): UpgradeCode = " + upgradeOther), log.toString());

            assertTrue(wine.isRegistered(bed.v1.productCode()), "the first product is still registered");
            assertTrue(wine.isRegistered(other.productCode()), "the second product is registered");
            assertEquals(Optional.of(v1Version), wine.system32Version("MAPI32.DLL"));
            assertEquals(Optional.of(otherVersion), wine.system32Version(OTHER_DLL));
            assertTrue(WinePrefix.findIgnoringCase(wine.system32(), OTHER_DLL).orElseThrow().getFileName().toString()
                    .equals(OTHER_DLL), "installed under its long name, not the short one");

            // and they leave separately: removing the second keeps the first
            assertEquals(0, wine.msiexecLogged("/x", other.msi(), bed.logFor(SCENARIO, "uninstall-inusedemo"), bed.javaHome));
            assertFalse(wine.isRegistered(other.productCode()));
            // the replace action put it where nothing was: its uninstall removes it (REMOVED), and only its own folder;
            // the first product, its file and its folder under Program Files\inuse stay
            assertEquals(Optional.empty(), wine.system32Version(OTHER_DLL));
            assertTrue(wine.isRegistered(bed.v1.productCode()));
            assertEquals(Optional.of(v1Version), wine.system32Version("MAPI32.DLL"));
            assertTrue(java.nio.file.Files.exists(wine.root().resolve("drive_c/Program Files/inuse/MAPI32/state/journal.txt")),
                    "the first product's state stays");
        });
        System.out.printf("SCENARIO side-by-side: PASS exit=0,0 MAPI32.DLL=%s (UpgradeCode %s) and %s=%s (UpgradeCode %s) both"
                + " registered, no WIX_UPGRADE_DETECTED; uninstalling %s removed its DLL and kept MAPI32.DLL (%.1f s)%n", v1Version, upgradeV1, OTHER_DLL,
                otherVersion, upgradeOther, OTHER_DLL, (System.nanoTime() - start) / 1e9);
    }
}
