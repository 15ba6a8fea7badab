package io.inuse.packaging;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inuse.pe.TestImages;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pak the broker extracts (docs/pak.md): its layout, its digests, the runtime image check. */
class EnginePakTest {
    @TempDir
    Path dir;

    @Test
    void writesTheDocumentedLayoutWithDigests() throws Exception {
        Path jar = Files.write(dir.resolve("engine.jar"), new byte[] {1, 2, 3});
        Path image = dir.resolve("image");
        Files.createDirectories(image.resolve("bin"));
        TestImages javaExe = new TestImages();
        javaExe.dll = false;
        Files.write(image.resolve("bin/java.exe"), javaExe.build());
        Files.writeString(image.resolve("release"), "JAVA_VERSION=\"17.0.9\"\n");
        List<EnginePak.Entry> entries = EnginePak.entries(jar, image);
        assertEquals(List.of("engine/inuse-engine.jar", "runtime/bin/java.exe", "runtime/release"),
                entries.stream().map(EnginePak.Entry::name).toList());

        byte[] pak = EnginePak.write(entries);
        assertEquals("INUSEPAK", new String(pak, 0, 8, StandardCharsets.US_ASCII));
        assertArrayEquals(new byte[] {1, 0, 0, 0, 3, 0, 0, 0}, java.util.Arrays.copyOfRange(pak, 8, 16));
        // first entry: name length 23, the name, size 3, digest, data
        assertEquals(23, pak[16]);
        assertEquals("engine/inuse-engine.jar", new String(pak, 18, 23, StandardCharsets.UTF_8));
        assertEquals(3, pak[41]);
        assertArrayEquals(MessageDigest.getInstance("SHA-256").digest(new byte[] {1, 2, 3}), java.util.Arrays.copyOfRange(pak, 49, 81));
        assertArrayEquals(new byte[] {1, 2, 3}, java.util.Arrays.copyOfRange(pak, 81, 84));

        List<EnginePak.Entry> back = EnginePak.read(pak);
        assertEquals(3, back.size());
        assertArrayEquals(entries.get(2).data(), back.get(2).data());
        assertArrayEquals(entries.get(2).sha256(), back.get(2).sha256());
    }

    @Test
    void aRuntimeImageWithoutJavaExeIsRefused() throws Exception {
        Path jar = Files.write(dir.resolve("engine.jar"), new byte[] {1});
        Path image = Files.createDirectories(dir.resolve("linux-image/bin"));
        Files.write(image.resolve("java"), new byte[] {1});
        BuildException e = assertThrows(BuildException.class, () -> EnginePak.entries(jar, image.getParent()));
        assertTrue(e.getMessage().startsWith("runtime image " + image.getParent() + " has no bin/java.exe"), e.getMessage());
    }

    @Test
    void aDllWithoutAPakIsNamedAsSuch() {
        // the magic without its version, as the broker's code holds it, is not a pak
        byte[] dll = "MZ......INUSEPAK...code only".getBytes(StandardCharsets.ISO_8859_1);
        BuildException e = assertThrows(BuildException.class, () -> EnginePak.inBrokerDll(dll));
        assertTrue(e.getMessage().startsWith("the broker DLL holds no pak"), e.getMessage());
    }
}
