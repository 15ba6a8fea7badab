package io.inuse.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inuse.pe.PeInfo;
import io.inuse.pe.TestImages;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** -Dinuse.runtimeImage is checked at build time as the broker checks a runtime on the target. */
class RuntimeImageTest {
    private static final String HINT = ": give -Dinuse.runtimeImage the folder of a Windows x64 Java 17+ runtime"
            + " (on a Windows build host, the output of jlink), or drop it to use the target's Java";

    @TempDir
    Path dir;

    private Path image(String name, byte[] javaExe, String release) throws Exception {
        Path image = Files.createDirectories(dir.resolve(name).resolve("bin")).getParent();
        if (javaExe != null) {
            Files.write(image.resolve("bin/java.exe"), javaExe);
        }
        if (release != null) {
            Files.writeString(image.resolve("release"), release);
        }
        return image;
    }

    private static byte[] exe(int machine) {
        TestImages exe = new TestImages();
        exe.dll = false;
        exe.machine = machine;
        exe.withResources = false;
        return exe.build();
    }

    private static String refusal(Path image) {
        String message = assertThrows(BuildException.class, () -> RuntimeImage.check(image)).getMessage();
        assertFalse(message.contains("\n"), "one line: " + message);
        assertTrue(message.endsWith(HINT), message);
        return message;
    }

    @Test
    void aJava17OrLaterX64ImageIsAccepted() throws Exception {
        RuntimeImage.check(image("jdk17", exe(PeInfo.MACHINE_AMD64), "IMPLEMENTOR=\"Eclipse Adoptium\"\nJAVA_VERSION=\"17.0.9\"\n"));
        RuntimeImage.check(image("jdk21", exe(PeInfo.MACHINE_AMD64), "JAVA_VERSION=\"21\"\nMODULES=\"java.base\"\n"));
    }

    @Test
    void anImageWithoutJavaExeIsRefused() throws Exception {
        Path image = image("linux", null, "JAVA_VERSION=\"17.0.9\"\n");
        Files.write(image.resolve("bin/java"), new byte[] {1});
        assertEquals("runtime image " + image + " has no bin/java.exe" + HINT, refusal(image));
    }

    @Test
    void aJavaExeThatIsNoPeFileIsRefused() throws Exception {
        Path image = image("script", "#!/bin/sh\nexec java \"$@\"\n".getBytes(), "JAVA_VERSION=\"17.0.9\"\n");
        assertTrue(refusal(image).startsWith("runtime image " + image + ": bin/java.exe is not a Windows program ("), refusal(image));
    }

    @Test
    void a32BitOrArmJavaExeIsRefused() throws Exception {
        Path x86 = image("x86", exe(PeInfo.MACHINE_I386), "JAVA_VERSION=\"17.0.9\"\n");
        assertEquals("runtime image " + x86 + ": bin/java.exe is built for x86, not x64; the engine needs an x64 Java 17 or later" + HINT,
                refusal(x86));
        Path arm = image("arm", exe(PeInfo.MACHINE_ARM64), "JAVA_VERSION=\"17.0.9\"\n");
        assertTrue(refusal(arm).contains("bin/java.exe is built for ARM64, not x64"), refusal(arm));
    }

    @Test
    void anImageWithoutAUsableReleaseFileIsRefused() throws Exception {
        Path none = image("no-release", exe(PeInfo.MACHINE_AMD64), null);
        assertEquals("runtime image " + none + " has no release file, so its Java version cannot be checked"
                + " (JDKs, JREs and jlink images have one)" + HINT, refusal(none));
        Path noLine = image("no-line", exe(PeInfo.MACHINE_AMD64), "IMPLEMENTOR=\"x\"\n");
        assertEquals("the release file of runtime image " + noLine + " has no JAVA_VERSION line with a quoted version" + HINT, refusal(noLine));
        Path unquoted = image("unquoted", exe(PeInfo.MACHINE_AMD64), "JAVA_VERSION=\"17.0.9\n");
        assertTrue(refusal(unquoted).contains("has no JAVA_VERSION line with a quoted version"));
    }

    @Test
    void anImageOlderThanJava17IsRefused() throws Exception {
        Path java11 = image("java11", exe(PeInfo.MACHINE_AMD64), "JAVA_VERSION=\"11.0.2\"\n");
        assertEquals("runtime image " + java11 + " is Java 11.0.2 (its release file); the engine needs Java 17 or later" + HINT,
                refusal(java11));
        Path java8 = image("java8", exe(PeInfo.MACHINE_AMD64), "JAVA_VERSION=\"1.8.0_292\"\n");
        assertTrue(refusal(java8).contains(" is Java 1.8.0_292 (its release file)"));
    }

    @Test
    void theReleaseFileIsReadByTheBrokersRule() {
        assertEquals("17.0.9", RuntimeImage.javaVersion("JAVA_VERSION=\"17.0.9\"\n"));
        assertEquals("21", RuntimeImage.javaVersion("IMPLEMENTOR=\"x\"\nJAVA_VERSION=\"21\""));
        // as release_version: the first JAVA_VERSION=" counts, and it must begin a line
        assertNull(RuntimeImage.javaVersion("IMPLEMENTOR_JAVA_VERSION=\"17\"\nJAVA_VERSION=\"17\"\n"));
        assertNull(RuntimeImage.javaVersion("JAVA_VERSION=\"" + "1".repeat(41) + "\""));
        assertEquals(8, RuntimeImage.feature("1.8.0_292"));
        assertEquals(17, RuntimeImage.feature("17.0.15"));
        assertEquals(21, RuntimeImage.feature("21"));
        assertEquals(0, RuntimeImage.feature("abc"));
        assertEquals(1, RuntimeImage.feature("1"));
    }
}
