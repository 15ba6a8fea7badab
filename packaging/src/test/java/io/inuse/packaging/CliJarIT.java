package io.inuse.packaging;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The command line's Linux jar as a user runs it, {@code java -jar inuse-cli-<version>.jar}, in a process of its
 * own, on the PE files this build made (the demo payload, the broker DLL, inuse.exe). No Wine.
 */
class CliJarIT {
    private static final String REVISION = System.getProperty("inuse.revision", "1.1.0");
    private static final Path TARGET = Path.of(System.getProperty("inuse.target", "target")).toAbsolutePath();
    private static final Path JAR = Path.of("../installer/cli/target/inuse-cli-" + REVISION + ".jar").toAbsolutePath().normalize();

    record Run(int code, String out, String err) {
    }

    static Run java(String... args) throws Exception {
        assertTrue(Files.isRegularFile(JAR), JAR + " is built by the reactor's installer/cli module before packaging");
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar",
                JAR.toString()));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("cli", ".out");
        Path err = Files.createTempFile("cli", ".err");
        try {
            Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS), "java -jar ended");
            return new Run(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
        } finally {
            Files.delete(out);
            Files.delete(err);
        }
    }

    @Test
    void peReadsWhatTheBuildMade() throws Exception {
        Path payload = TARGET.resolve("native-" + REVISION).resolve(DemoPayload.FILE_NAME);
        Run dll = java("pe", payload.toString());
        assertEquals(0, dll.code(), dll.err());
        assertTrue(dll.out().contains("  type:            DLL\n") && dll.out().contains("  file version:    " + REVISION + ".0\n"), dll.out());
        Run exe = java("pe", TARGET.resolve("cli-" + REVISION).resolve(Launcher.EXE).toString(), "--json");
        assertEquals(0, exe.code(), exe.err());
        JsonNode json = new ObjectMapper().readTree(exe.out());
        assertEquals("EXE", json.get("type").asText());
        assertEquals("x64", json.get("machine").asText());
        Run broker = java("pe", TARGET.resolve("broker-" + REVISION).resolve(Broker.FILE_NAME).toString());
        assertEquals(0, broker.code(), broker.err());
        assertTrue(broker.out().contains("  type:            DLL\n"), broker.out());
    }

    @Test
    void badInputIsOneLineAndItsCode() throws Exception {
        Run notPe = java("pe", TARGET.resolve("inuse-mapi32-" + REVISION + "-x64.msi").toString());
        assertEquals(65, notPe.code());
        assertEquals(1, notPe.err().lines().count(), notPe.err());
        Run windows = java("status");
        assertEquals(69, windows.code());
        assertEquals("inuse: status needs Windows: run inuse.exe on the machine itself. On Linux only 'pe <file>' and"
                + " 'pending --from <file.reg>' run\n", windows.err());
    }
}
