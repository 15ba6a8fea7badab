package io.inuse.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inuse.engine.detect.BuiltInTargets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The target list read back out of the package that {@code mvn package} built (packaging/target): the
 * broker in Binary.InuseBroker, its pak, the pak's engine/inuse-targets.jar, the jar's targets.txt.
 * No Wine: msiinfo only.
 */
class PackageTargetsIT {
    private static final Path TARGET = Path.of(System.getProperty("inuse.target", "target"));
    private static final String REVISION = System.getProperty("inuse.revision", "1.1.0");

    @Test
    void theBuiltPackageCarriesItsTargetList() throws Exception {
        Path msi = builtPackage();
        List<EnginePak.Entry> pak = EnginePak.inBrokerDll(new PackageVerifier(new Toolchain()).binary(msi, "InuseBroker"));
        List<String> names = pak.stream().map(EnginePak.Entry::name).toList();
        assertEquals(List.of("engine/inuse-engine.jar", "engine/inuse-targets.jar"), names.subList(0, Math.min(2, names.size())),
                "the pak's entries: " + names);
        EnginePak.Entry jar = pak.get(1);
        // the digest the broker checks on extraction is the jar's own
        assertTrue(java.util.Arrays.equals(EnginePak.Entry.of(jar.name(), jar.data()).sha256(), jar.sha256()));
        String text = PackageTargets.read(jar.data());

        // the payload's long name, upper-cased as the package writes it, from the File row the target names
        String fileName = fileTableName(msi);
        String name = fileName.substring(fileName.indexOf('|') + 1).toUpperCase(Locale.ROOT);
        assertEquals("inuse-targets 1\nTargetDll\tSystem\t\t" + name + "\n", text);
        if (msi.getFileName().toString().startsWith("inuse-mapi32-")) {
            assertEquals("inuse-targets 1\nTargetDll\tSystem\t\tMAPI32.DLL\n", text, "the demo's one target");
        }
        assertEquals(List.of("TargetDll\tSystem\t\t" + name), BuiltInTargets.parse(text).stream().map(BuiltInTargets.BuiltIn::line).toList());
        // the product beside it: the id the product's folder (the Directory table's ProductFolder) is named by, no policy default
        String product = PackageTargets.readProduct(jar.data());
        String stem = fileName.substring(fileName.indexOf('|') + 1);
        stem = stem.substring(0, stem.lastIndexOf('.'));
        assertEquals("inuse-product 1\nid\t" + stem + "\n", product);
        assertEquals(stem, io.inuse.engine.detect.BuiltInProduct.parse(product).id());
    }

    /** A package around a DLL of another name (the README's -Dinuse.payload) meets the same goldens: its folder and key follow its name. */
    @Test
    void aPackageAroundAnotherNameMeetsTheGoldens(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path dll = Files.copy(TARGET.resolve("native-" + REVISION).resolve(DemoPayload.FILE_NAME), dir.resolve("INUSEDEMO.DLL"));
        Path engineJar = Path.of(System.getProperty("inuse.engineJar", "../installer/target/inuse-installer-" + REVISION + ".jar"));
        PackageBuilder.Result result = new PackageBuilder(new Toolchain(), Path.of("..").toAbsolutePath().normalize())
                .build(PackageBuilder.Spec.of(REVISION, Optional.of(dll), engineJar, Optional.empty()), dir.resolve("out"));
        assertEquals("inuse-inusedemo-" + REVISION + "-x64.msi", result.msi().getFileName().toString());
        List<String> compared = new PackageVerifier(new Toolchain()).compareWithGoldens(result.msi(), Path.of("golden").toAbsolutePath(),
                REVISION, result.payload(), false);
        assertTrue(compared.size() > 20, "compared: " + compared);
    }

    private static Path builtPackage() throws Exception {
        String suffix = "-" + REVISION + "-x64.msi";
        Path demo = TARGET.resolve("inuse-mapi32" + suffix);
        if (Files.isRegularFile(demo)) {
            return demo;
        }
        try (Stream<Path> files = Files.list(TARGET)) {
            List<Path> msis = files.filter(p -> p.getFileName().toString().startsWith("inuse-")
                    && p.getFileName().toString().endsWith(suffix)).sorted().toList();
            assertEquals(1, msis.size(), "mvn package built one MSI in " + TARGET + ": " + msis);
            return msis.get(0);
        }
    }

    private static String fileTableName(Path msi) {
        PackageVerifier.Table file = new PackageVerifier(new Toolchain()).export(msi, "File");
        for (String[] row : file.rows()) {
            if (row[file.column("File")].equals("TargetDll")) {
                return row[file.column("FileName")];
            }
        }
        throw new AssertionError(msi + " has no File row TargetDll");
    }
}
