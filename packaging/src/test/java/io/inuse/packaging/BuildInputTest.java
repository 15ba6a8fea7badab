package io.inuse.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inuse.pe.FileVersion;
import io.inuse.pe.PeInfo;
import io.inuse.pe.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input to the build stops it with one message that names the input and what to do. */
class BuildInputTest {
    @TempDir
    Path dir;

    @Test
    void aPayloadThatIsNotAPeFileIsRefusedByName() throws Exception {
        Path notes = Files.writeString(dir.resolve("MAPI32.DLL"), "this is a text file");
        BuildException e = assertThrows(BuildException.class, () -> Payload.inspect(notes));
        assertTrue(e.getMessage().startsWith("payload is not a valid PE file: " + notes
                + ": at offset 0x0: not a PE file: no 'MZ' signature"), e.getMessage());
        assertTrue(e.getMessage().contains("Give -Dinuse.payload the path of an x64 DLL"), e.getMessage());
    }

    @Test
    void aMissingPayloadIsRefusedByName() {
        Path absent = dir.resolve("absent.dll");
        BuildException e = assertThrows(BuildException.class, () -> Payload.inspect(absent));
        assertTrue(e.getMessage().startsWith("payload " + absent + " cannot be read"), e.getMessage());
    }

    @Test
    void a32BitPayloadIsRefused() throws Exception {
        TestImages image = new TestImages();
        image.machine = PeInfo.MACHINE_I386;
        Path dll = Files.write(dir.resolve("x86.dll"), image.build());
        BuildException e = assertThrows(BuildException.class, () -> Payload.inspect(dll));
        assertTrue(e.getMessage().contains("is built for x86, but the package installs into the 64-bit System32 folder"), e.getMessage());
    }

    @Test
    void anExeOrAnUnversionedDllIsRefused() throws Exception {
        TestImages exe = new TestImages();
        exe.dll = false;
        Path exePath = Files.write(dir.resolve("tool.exe"), exe.build());
        assertTrue(assertThrows(BuildException.class, () -> Payload.inspect(exePath)).getMessage().contains("not a DLL"));
        TestImages plain = new TestImages();
        plain.withResources = false;
        Path plainPath = Files.write(dir.resolve("plain.dll"), plain.build());
        assertTrue(assertThrows(BuildException.class, () -> Payload.inspect(plainPath)).getMessage().contains("has no version resource"));
    }

    @Test
    void aGoodPayloadGivesVersionLanguagesAndSize() throws Exception {
        TestImages image = new TestImages();
        image.fileVersion = new int[] {4, 0, 1, 9};
        byte[] bytes = image.build();
        Path dll = Files.write(dir.resolve("mapi32.dll"), bytes);
        Payload payload = Payload.inspect(dll);
        assertEquals(new FileVersion(4, 0, 1, 9), payload.version());
        assertEquals("1033", payload.languages());
        assertEquals("mapi32.dll", payload.fileName());
        assertEquals(bytes.length, payload.size());
    }

    @Test
    void anOutputFolderBlockedByAFileIsRefused() throws Exception {
        Path blocked = Files.writeString(dir.resolve("target"), "a file where the output folder must go");
        BuildException e = assertThrows(BuildException.class, () -> PackageBuilder.prepareOutputFolder(blocked));
        assertEquals("output folder " + blocked + " cannot be used: a file of that name is in the way. Remove it and build again.", e.getMessage());
        Path below = blocked.resolve("msi");
        e = assertThrows(BuildException.class, () -> PackageBuilder.prepareOutputFolder(below));
        assertTrue(e.getMessage().startsWith("output folder " + below + " is not writable"), e.getMessage());
    }

    @Test
    void aRevisionThatIsNoWindowsVersionIsRefused() {
        BuildException e = assertThrows(BuildException.class, () -> PackageBuilder.parseRevision("1.2-SNAPSHOT"));
        assertTrue(e.getMessage().startsWith("-Drevision=1.2-SNAPSHOT cannot be a Windows Installer version"), e.getMessage());
        assertTrue(e.getMessage().endsWith("for example -Drevision=1.2.3"), e.getMessage());
    }

    @Test
    void productCodesAreStablePerVersionAndDifferBetweenVersions() {
        assertEquals(MsiBuild.productCode("1.1.0"), MsiBuild.productCode("1.1.0"));
        assertNotEquals(MsiBuild.productCode("1.1.0"), MsiBuild.productCode("1.2.0"));
        assertTrue(MsiBuild.productCode("1.1.0").matches("\\{[0-9A-F]{8}(-[0-9A-F]{4}){3}-[0-9A-F]{12}}"));
    }

    @Test
    void aGoldenDifferenceNamesTableLineAndTheRegenerateCommand() {
        List<String> golden = List.of("File\tComponent_", "s72\ts72", "File\tFile", "TargetDll\tTargetDll");
        List<String> built = List.of("File\tComponent_", "s72\ts72", "File\tFile", "TargetDll\tOther");
        BuildException e = assertThrows(BuildException.class, () -> PackageVerifier.compare("File", golden, built));
        assertTrue(e.getMessage().startsWith("package check failed: table File, line 4 differs from packaging/golden/File.idt"), e.getMessage());
        assertTrue(e.getMessage().contains("golden: TargetDll | TargetDll"), e.getMessage());
        assertTrue(e.getMessage().contains("built:  TargetDll | Other"), e.getMessage());
        assertTrue(e.getMessage().endsWith(PackageVerifier.UPDATE_HINT));
        PackageVerifier.compare("File", golden, golden);
        assertThrows(BuildException.class, () -> PackageVerifier.compare("File", golden, golden.subList(0, 3)));
    }
}
