package io.inuse.packaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.inuse.engine.detect.BuiltInProduct;
import io.inuse.engine.detect.BuiltInTargets;
import io.inuse.pe.FileVersion;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The package's targets (docs/pak.md): what the build writes into the broker, and each list it refuses. */
class PackageTargetsTest {
    static final BuiltInProduct PRODUCT = new BuiltInProduct("Example Mail", java.util.Map.of("INUSE_WHEN_LOCKED", "fail"));

    private static final PackageTargets.Entry DEMO = new PackageTargets.Entry("TargetDll", "System", "", "MAPI32.DLL");
    private static final Set<String> FILE_KEYS = Set.of("TargetDll");

    @TempDir
    Path dir;

    private static String refusal(List<PackageTargets.Entry> targets, Set<String> fileKeys) {
        String message = assertThrows(BuildException.class, () -> PackageTargets.check(targets, fileKeys)).getMessage();
        assertFalse(message.contains("\n"), "one line: " + message);
        return message;
    }

    @Test
    void theDemoPackageReplacesItsPayloadInSystem() {
        Payload payload = new Payload(dir.resolve("mapi32.dll"), "mapi32.dll", new FileVersion(1, 1, 0, 0), "0", 1);
        assertEquals(List.of(DEMO), PackageTargets.of(payload));
        assertEquals("inuse-targets 1\nTargetDll\tSystem\t\tMAPI32.DLL\n", PackageTargets.text(PackageTargets.of(payload)));
        PackageTargets.check(PackageTargets.of(payload), FILE_KEYS);
    }

    @Test
    void severalTargetsAreWrittenInOrderAndReadByTheEngine() {
        List<PackageTargets.Entry> targets = List.of(DEMO, new PackageTargets.Entry("Helper", "ProgramFiles", "Vendor\\bin", "helper.dll"));
        PackageTargets.check(targets, Set.of("TargetDll", "Helper", "Other"));
        String text = PackageTargets.text(targets);
        assertEquals("inuse-targets 1\nTargetDll\tSystem\t\tMAPI32.DLL\nHelper\tProgramFiles\tVendor\\bin\thelper.dll\n", text);
        assertEquals(List.of("TargetDll\tSystem\t\tMAPI32.DLL", "Helper\tProgramFiles\tVendor\\bin\thelper.dll"),
                BuiltInTargets.parse(text).stream().map(BuiltInTargets.BuiltIn::line).toList());
    }

    @Test
    void aTargetNamingAFileRowThePackageDoesNotHaveIsRefused() {
        assertEquals("package target 1 (Missing -> [System]\\MAPI32.DLL) names the File row Missing, which the package's File"
                + " table does not have (it has TargetDll). Name the File row that carries the new file (File/@Id in"
                + " wix/product.wxs) and build again.",
                refusal(List.of(new PackageTargets.Entry("Missing", "System", "", "MAPI32.DLL")), FILE_KEYS));
        assertEquals("package target 2 (Other -> [ProgramFiles]\\x\\a.dll) names the File row Other, which the package's File"
                + " table does not have (it has A, TargetDll). Name the File row that carries the new file (File/@Id in"
                + " wix/product.wxs) and build again.",
                refusal(List.of(DEMO, new PackageTargets.Entry("Other", "ProgramFiles", "x", "a.dll")), Set.of("TargetDll", "A")));
    }

    @Test
    void anUnknownKnownFolderIsRefused() {
        assertEquals("package target 1 (TargetDll -> [System32]\\MAPI32.DLL): 'System32' is not a known folder of inuse: use one"
                + " of System, SystemX86, Windows, ProgramFiles, ProgramFilesX86, ProgramFilesCommon, ProgramData (as"
                + " SHGetKnownFolderPath names them). Fix the package's target list (packaging's PackageTargets) and build again.",
                refusal(List.of(new PackageTargets.Entry("TargetDll", "System32", "", "MAPI32.DLL")), FILE_KEYS));
    }

    @Test
    void anEmptyListIsRefused() {
        assertEquals("the package names no target: it would replace no file. Give it at least one target (a File row, a known"
                + " folder, a relative path and a file name). Fix the package's target list (packaging's PackageTargets) and"
                + " build again.", refusal(List.of(), FILE_KEYS));
    }

    @Test
    void aTargetOutsideItsFolderOrWithABadFieldIsRefused() {
        assertEquals("package target 1 (TargetDll -> [System]\\..\\MAPI32.DLL): '..' is not a relative folder path inside its"
                + " known folder. Fix the package's target list (packaging's PackageTargets) and build again.",
                refusal(List.of(new PackageTargets.Entry("TargetDll", "System", "..", "MAPI32.DLL")), FILE_KEYS));
        assertEquals("package target 1 (TargetDll -> [System]\\MAPI\t32.DLL) has a missing field or a control character in a"
                + " field. Fix the package's target list (packaging's PackageTargets) and build again.",
                refusal(List.of(new PackageTargets.Entry("TargetDll", "System", "", "MAPI\t32.DLL")), FILE_KEYS));
    }

    @Test
    void twoTargetsForOneFileRowOrOnePathAreRefused() {
        assertEquals("package target 2 (Other -> [System]\\mapi32.dll): [System]\\mapi32.dll is already package target 1. Fix the"
                + " package's target list (packaging's PackageTargets) and build again.",
                refusal(List.of(DEMO, new PackageTargets.Entry("Other", "System", "", "mapi32.dll")), Set.of("TargetDll", "Other")));
        assertEquals("package target 2 (TargetDll -> [Windows]\\a.dll): the File row TargetDll already carries package target 1;"
                + " one File row carries one file. Fix the package's target list (packaging's PackageTargets) and build again.",
                refusal(List.of(DEMO, new PackageTargets.Entry("TargetDll", "Windows", "", "a.dll")), FILE_KEYS));
    }

    @Test
    void theTargetJarIsReproducibleAndFollowsTheEngineJar() {
        EnginePak.Entry jar = PackageTargets.jar(List.of(DEMO), PRODUCT);
        assertEquals("engine/inuse-targets.jar", jar.name());
        assertArrayEquals(jar.data(), PackageTargets.jar(List.of(DEMO), PRODUCT).data());
        assertEquals("inuse-targets 1\nTargetDll\tSystem\t\tMAPI32.DLL\n", PackageTargets.read(jar.data()));
        assertEquals("inuse-product 1\nid\tExample Mail\nINUSE_WHEN_LOCKED\tfail\n", PackageTargets.readProduct(jar.data()));

        EnginePak.Entry engine = EnginePak.Entry.of("engine/inuse-engine.jar", new byte[] {1});
        EnginePak.Entry runtime = EnginePak.Entry.of("runtime/release", new byte[] {2});
        assertEquals(List.of("engine/inuse-engine.jar", "engine/inuse-targets.jar", "runtime/release"),
                PackageTargets.addTo(List.of(engine, runtime), List.of(DEMO), PRODUCT).stream().map(EnginePak.Entry::name).toList());
        List<EnginePak.Entry> own = List.of(engine, jar);
        assertSame(own, PackageTargets.addTo(own, List.of(DEMO), PRODUCT));
        assertThrows(BuildException.class, () -> PackageTargets.addTo(List.of(engine), List.of(), PRODUCT));
    }

    /** The engine's own BuiltInTargets.load() finds the list in the jar the build writes, as the broker's class path gives it. */
    @Test
    void theEngineLoadsTheListFromTheJar() throws Exception {
        Path jar = Files.write(dir.resolve("inuse-targets.jar"), PackageTargets.jar(List.of(DEMO), PRODUCT).data());
        URL engine = BuiltInTargets.class.getProtectionDomain().getCodeSource().getLocation();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {engine, jar.toUri().toURL()}, null)) {
            Class<?> builtIn = loader.loadClass(BuiltInTargets.class.getName());
            List<?> targets = (List<?>) builtIn.getMethod("load").invoke(null);
            assertEquals(1, targets.size());
            assertEquals("TargetDll\tSystem\t\tMAPI32.DLL", targets.get(0).getClass().getMethod("line").invoke(targets.get(0)));
            Object product = loader.loadClass(BuiltInProduct.class.getName()).getMethod("load").invoke(null);
            assertEquals("Example Mail", product.getClass().getMethod("id").invoke(product));
            assertEquals(java.util.Map.of("INUSE_WHEN_LOCKED", "fail"), product.getClass().getMethod("defaults").invoke(product));
        }
    }
}
