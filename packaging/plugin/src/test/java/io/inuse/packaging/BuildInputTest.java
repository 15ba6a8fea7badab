package io.inuse.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
        String example = ". Build with -Drevision=MAJOR.MINOR.BUILD, for example -Drevision=1.2.3";
        String shape = "it must be two to four numbers separated by dots, with nothing else (no qualifier such as -SNAPSHOT, no spaces)";
        for (String bad : List.of("1.2-SNAPSHOT", "1", "1.2.3.4.5", "1..2", " 1.2.3", "1.2.3 ", "v1.2", "1.2.")) {
            assertEquals("-Drevision=" + bad + " cannot be a Windows Installer version: " + shape + example, revisionRefusal(bad));
        }
        assertEquals("-Drevision is empty: the product version must be given" + example, revisionRefusal(""));
        assertEquals("-Drevision is empty: the product version must be given" + example, revisionRefusal("  "));
        assertEquals("-Drevision=01.2.3 cannot be a Windows Installer version: the major version '01' has a leading zero;"
                + " Windows Installer would read it as 1, but the package would get another ProductCode than the same version"
                + " written without it" + example, revisionRefusal("01.2.3"));
        assertTrue(revisionRefusal("1.00.3").contains("the minor version '00' has a leading zero; Windows Installer would read it as 0"));
        assertTrue(revisionRefusal("1.2.3.04").contains("the fourth part '04' has a leading zero"));
        assertEquals("-Drevision=256.0.0 cannot be a Windows Installer version: the major version 256 is above 255, the largest"
                + " a ProductVersion allows there" + example, revisionRefusal("256.0.0"));
        assertTrue(revisionRefusal("1.256.0").contains("the minor version 256 is above 255"));
        assertTrue(revisionRefusal("1.2.65536").contains("the build number 65536 is above 65535"));
        assertTrue(revisionRefusal("1.2.99999999999").contains("the build number 99999999999 is above 65535"));
        assertTrue(revisionRefusal("1.2.3.65536").contains("the fourth part 65536 is above 65535"));
    }

    @Test
    void everyWindowsInstallerVersionIsAccepted() {
        assertEquals(new FileVersion(1, 1, 0, 0), PackageBuilder.parseRevision("1.1.0"));
        assertEquals(new FileVersion(0, 1, 0, 0), PackageBuilder.parseRevision("0.1"));
        assertEquals(new FileVersion(255, 255, 65535, 65535), PackageBuilder.parseRevision("255.255.65535.65535"));
        assertEquals(new FileVersion(10, 0, 0, 0), PackageBuilder.parseRevision("10.0.0"));
    }

    private static String revisionRefusal(String revision) {
        String message = assertThrows(BuildException.class, () -> PackageBuilder.parseRevision(revision)).getMessage();
        assertFalse(message.contains("\n"), "one line: " + message);
        return message;
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
