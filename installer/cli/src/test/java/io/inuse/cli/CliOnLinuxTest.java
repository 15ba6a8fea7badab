package io.inuse.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.inuse.pe.TestImages;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code java -jar inuse-cli.jar} on Linux: {@code pe} and {@code pending --from} over real files, text and JSON
 * (parsed by Jackson) saying the same; every bad input one line on stderr and its documented exit code.
 */
class CliOnLinuxTest {
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
        List<String> lines() {
            return Arrays.asList(out.split("\n"));
        }

        JsonNode json() throws IOException {
            return JSON.readTree(out);
        }
    }

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = Main.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    Path file(String name, byte[] bytes) throws IOException {
        Path path = dir.resolve(name);
        Files.write(path, bytes);
        return path;
    }

    static byte[] resource(String name) throws IOException {
        try (InputStream in = CliOnLinuxTest.class.getResourceAsStream(name)) {
            return in.readAllBytes();
        }
    }

    @Test
    void peNamesMachineVersionsAndLanguageInTextAndJson() throws Exception {
        TestImages images = new TestImages();
        images.fileVersion = new int[] {1, 2, 3, 4};
        Path dll = file("MAPI32.DLL", images.build());
        Run text = run("pe", dll.toString());
        assertEquals(0, text.code(), text.err());
        assertTrue(text.lines().contains("  machine:         x64"), text.out());
        assertTrue(text.lines().contains("  type:            DLL"), text.out());
        assertTrue(text.lines().contains("  file version:    1.2.3.4"), text.out());
        Run json = run("pe", dll.toString(), "--json");
        assertEquals(0, json.code());
        JsonNode node = json.json();
        assertEquals(dll.toString(), node.get("file").asText());
        assertEquals("x64", node.get("machine").asText());
        assertEquals("1.2.3.4", node.get("fileVersion").asText());
        assertTrue(text.out().contains("product version: " + node.get("productVersion").asText()), "text and JSON agree");
        assertTrue(text.out().contains("languages:       " + node.get("languages").get(0).asInt()), "text and JSON agree");
    }

    @Test
    void aFileThatIsNotAPeFileIsOneLineAnd65() throws Exception {
        Path text = file("notes.txt", "hello".getBytes(StandardCharsets.US_ASCII));
        Run r = run("pe", text.toString());
        assertEquals(65, r.code());
        assertEquals("", r.out());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("inuse: " + text + ": at offset 0x0: not a PE file"), r.err());
    }

    @Test
    void aPathThatDoesNotExistIs66AndJsonSaysSoToo() throws Exception {
        String missing = dir.resolve("nope.dll").toString();
        Run r = run("pe", missing);
        assertEquals(66, r.code());
        assertEquals("inuse: " + missing + ": no such file. Give the full path of an existing file\n", r.err());
        Run json = run("pe", missing, "--json");
        assertEquals(66, json.json().get("exitCode").asInt());
    }

    @Test
    void usageErrorsAre64AndWindowsCommandsAre69() {
        assertEquals(64, run("frobnicate").code());
        assertTrue(run("frobnicate").err().startsWith("inuse: unknown command 'frobnicate'. usage: inuse who"));
        assertEquals(64, run().code());
        assertEquals(64, run("pe").code());
        assertEquals(64, run("pe", "a", "b").code());
        assertEquals(64, run("who", "C:\\x.dll", "--from", "x.reg").code());
        for (String[] args : List.of(new String[] {"who", "C:\\Windows\\System32\\MAPI32.DLL"}, new String[] {"status"},
                new String[] {"pending"})) {
            Run r = run(args);
            assertEquals(69, r.code(), String.join(" ", args));
            assertTrue(r.err().contains("needs Windows: run inuse.exe on the machine itself"), r.err());
        }
    }

    @Test
    void pendingFromWinesRegeditExportMarksOwnAndForeignEntriesAndTheMarkers() throws Exception {
        // exported by Wine 8's regedit (wine regedit /E out.reg "HKEY_LOCAL_MACHINE\System\CurrentControlSet\Control\Session
        // Manager") after importing session-manager-wine.in.reg (three operations in the first value, one in the second)
        // into a new prefix: UTF-16LE with a BOM, CRLF, hex(7) continued over lines, the key's subkeys after it
        Path reg = file("pending.reg", resource("session-manager-wine.reg"));
        assertEquals((byte) 0xFF, Files.readAllBytes(reg)[0], "UTF-16LE with its byte-order mark, as regedit writes it");
        Run text = run("pending", "--from", reg.toString());
        assertEquals(0, text.code(), text.err());
        List<String> lines = text.lines();
        assertEquals("PendingFileRenameOperations: 3 operation(s)", lines.get(0));
        assertEquals("   1  move    C:\\windows\\system32\\MAPI32.DLL.inuse-1.tmp -> C:\\windows\\system32\\MAPI32.DLL (replace existing)  [inuse]",
                lines.get(1));
        assertEquals("   2  delete  *1 C:\\Program Files\\Vendor\\old.dll  [other]", lines.get(2));
        assertEquals("   3  move    C:\\Program Files\\Vendor\\new.dll.tmp -> C:\\Program Files\\Vendor\\new.dll (replace existing)  [other]",
                lines.get(3));
        assertEquals("PendingFileRenameOperations2: 1 operation(s)", lines.get(4));
        assertEquals("   1  delete  *1 C:\\Windows\\SoftwareDistribution\\x.tmp  [other]", lines.get(5));
        assertTrue(lines.get(6).startsWith("0 of this product's, 0 stale (not checked: read from "), lines.get(6));

        JsonNode json = run("pending", "--from", reg.toString(), "--json").json();
        assertEquals(false, json.get("checked").asBoolean());
        JsonNode first = json.get("values").get(0).get("entries");
        assertEquals(3, first.size());
        assertEquals("\\??\\C:\\windows\\system32\\MAPI32.DLL.inuse-1.tmp", first.get(0).get("source").asText());
        assertEquals("!\\??\\C:\\windows\\system32\\MAPI32.DLL", first.get(0).get("destination").asText());
        assertEquals("*1", first.get(1).get("marker").asText());
        assertEquals("delete", first.get(1).get("operation").asText());
        assertTrue(first.get(1).get("destination").isNull());
        assertEquals("PendingFileRenameOperations2", json.get("values").get(1).get("name").asText());
        for (int i = 0; i < 3; i++) {
            JsonNode e = first.get(i);
            assertTrue(lines.get(1 + i).contains(e.get("sourcePath").asText()) && lines.get(1 + i).contains("[" + e.get("owner").asText() + "]"),
                    "text and JSON agree on entry " + (i + 1));
        }
    }

    @Test
    void aRegedit4ExportInTheAnsiCodePageReadsToo() throws Exception {
        // REGEDIT4 writes a REG_MULTI_SZ as one ANSI byte a character: here "\??\C:\Café\a.tmp", the e-acute 0xE9
        String value = "\\??\\C:\\Caf\u00e9\\a.tmp\0\0\0";
        StringBuilder hex = new StringBuilder();
        for (byte b : value.getBytes(java.nio.charset.Charset.forName("windows-1252"))) {
            hex.append(hex.length() == 0 ? "" : ",").append(String.format("%02x", b));
        }
        String text = "REGEDIT4\r\n\r\n[HKEY_LOCAL_MACHINE\\SYSTEM\\ControlSet001\\Control\\Session Manager]\r\n"
                + "@=\"default \\\"quoted\\\"\"\r\n"
                + "\"PendingFileRenameOperations\"=hex(7):" + hex + "\r\n"
                + "\"DevProp\"=hex(ffff0012):01,02\r\n";
        Run r = run("pending", "--from", file("four.reg", text.getBytes(java.nio.charset.Charset.forName("windows-1252"))).toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("   1  delete  C:\\Caf\u00e9\\a.tmp  [other]", r.lines().get(1));
        assertEquals("PendingFileRenameOperations2: none", r.lines().get(2));
    }

    @Test
    void theReaderTakesTheDefaultValueEscapedQuotesAndLargeTypes() throws Exception {
        String text = "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\X]\r\n"
                + "@=\"the \\\"default\\\" value\"\r\n"
                + "\"a \\\"quoted\\\" name\"=dword:0000002a\r\n"
                + "\"DevProp\"=hex(ffff0012):01,02,\\\r\n  03\r\n";
        io.inuse.engine.cli.RegFile reg = io.inuse.engine.cli.RegFile.parse("x.reg", utf16(text));
        assertEquals(3, reg.values().size());
        assertEquals("", reg.values().get(0).name());
        assertEquals("the \"default\" value\0", new String(reg.values().get(0).value().data(), StandardCharsets.UTF_16LE));
        assertEquals("a \"quoted\" name", reg.values().get(1).name());
        assertEquals(42, reg.values().get(1).value().data()[0]);
        assertEquals(0xFFFF0012, reg.values().get(2).value().type());
        assertEquals(3, reg.values().get(2).value().length(), "the continued hex line");
    }

    @Test
    void aFileThatIsNoRegistryExportIsOneLineAnd65() throws Exception {
        Path notReg = file("x.reg", "[settings]\nkey=value\n".getBytes(StandardCharsets.US_ASCII));
        Run r = run("pending", "--from", notReg.toString());
        assertEquals(65, r.code());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("inuse: " + notReg + " is not a registry export: its first line is '[settings]'"), r.err());
        Run json = run("pending", "--from", notReg.toString(), "--json");
        assertEquals(65, json.json().get("exitCode").asInt());
    }

    @Test
    void aTruncatedHex7ValueIsOneLineAnd65() throws Exception {
        // the export cut inside the value: its last line still says it continues
        byte[] whole = resource("session-manager-wine.reg");
        String text = new String(whole, 2, whole.length - 2, StandardCharsets.UTF_16LE);
        int cut = text.indexOf("\\\r\n", text.indexOf("PendingFileRenameOperations\"=")) + 1;
        Path truncated = file("cut.reg", utf16(text.substring(0, cut) + "\r\n"));
        Run r = run("pending", "--from", truncated.toString());
        assertEquals(65, r.code(), r.out());
        assertTrue(r.err().matches("inuse: " + java.util.regex.Pattern.quote(truncated.toString())
                + " line \\d+: the value is truncated: its last line ends with '\\\\' and no line continues it\n"), r.err());
        // a value whose bytes stop before the list's end (an even number, but no terminating NULs)
        String cutValue = "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SYSTEM\\CurrentControlSet\\Control\\Session Manager]\r\n"
                + "\"PendingFileRenameOperations\"=hex(7):" + hex("\\??\\C:\\a.tmp") + "\r\n";
        Run damaged = run("pending", "--from", file("cut2.reg", utf16(cutValue)).toString());
        assertEquals(65, damaged.code());
        assertTrue(damaged.out().startsWith("PendingFileRenameOperations: DAMAGED: "), damaged.out());
        // an odd number of bytes cannot be UTF-16
        String odd = cutValue.replace("hex(7):", "hex(7):00,");
        Run oddRun = run("pending", "--from", file("odd.reg", utf16(odd)).toString());
        assertEquals(65, oddRun.code());
        assertTrue(oddRun.err().contains("an odd number, cannot be UTF-16 text: the value is truncated"), oddRun.err());
    }

    @Test
    void anExportWithoutTheSessionManagerKeySaysHowToMakeOne() throws Exception {
        String text = "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_CURRENT_USER\\Software\\X]\r\n\"a\"=\"b\"\r\n";
        Run r = run("pending", "--from", file("other.reg", utf16(text)).toString());
        assertEquals(65, r.code());
        assertTrue(r.err().contains("holds no ...\\Control\\Session Manager key: export it with reg export"), r.err());
    }

    static byte[] utf16(String text) {
        byte[] body = text.getBytes(StandardCharsets.UTF_16LE);
        byte[] all = new byte[body.length + 2];
        all[0] = (byte) 0xFF;
        all[1] = (byte) 0xFE;
        System.arraycopy(body, 0, all, 2, body.length);
        return all;
    }

    static String hex(String text) {
        StringBuilder out = new StringBuilder();
        for (byte b : text.getBytes(StandardCharsets.UTF_16LE)) {
            out.append(out.length() == 0 ? "" : ",").append(String.format("%02x", b));
        }
        return out.toString();
    }
}
