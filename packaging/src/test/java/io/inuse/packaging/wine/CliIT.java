package io.inuse.packaging.wine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The installed command line (issue 17, docs/cli.md): {@code C:\Program Files\inuse\MAPI32\bin\inuse.exe}, the
 * launcher serving the engine's command-line entry on the runtime the install was given, inside Wine. After a
 * held upgrade, {@code pending} lists the product's entry as its own, {@code status} says a reboot is needed and
 * the reboot-pending record is there; after the simulated reboot {@code status} says done with the expected hash
 * and the record is gone; {@code who} names the process and the service holding the DLL; {@code --json} parses
 * (Jackson) and says what the text says; bad input is one line and its exit code.
 */
class CliIT {
    private static final String DLL = "MAPI32.DLL";
    private static final String TARGET = "C:\\windows\\system32\\" + DLL;
    private static final String INUSE = "C:\\Program Files\\inuse\\MAPI32\\bin\\inuse.exe";
    private static final String RECORD = "HKLM\\SOFTWARE\\inuse\\MAPI32\\RebootPending\\System#MAPI32.DLL";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static WineTestBed bed;

    @BeforeAll
    static void prepare() throws Exception {
        bed = WineTestBed.get();
    }

    /** One run of inuse.exe: its exit code, and stdout and stderr apart. */
    record Cli(int code, String out, String err) {
        List<String> lines() {
            return out.lines().toList();
        }

        JsonNode json() throws IOException {
            return JSON.readTree(out);
        }

        @Override
        public String toString() {
            return "exit " + code + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    static Cli inuse(WinePrefix wine, String... args) throws Exception {
        return inuseAt(wine, INUSE, args);
    }

    /** The same for the inuse.exe at {@code exe} (another product's, or started by its 8.3 path). */
    static Cli inuseAt(WinePrefix wine, String exe, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("wine", exe));
        command.addAll(List.of(args));
        Path out = Files.createTempFile("inuse", ".out");
        Path err = Files.createTempFile("inuse", ".err");
        try {
            Process p = wine.processBuilder(command).redirectErrorStream(false).redirectOutput(out.toFile()).redirectError(err.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!p.waitFor(300, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IOException("inuse " + String.join(" ", args) + " did not end within 300 s");
            }
            return new Cli(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8).replace("\r", ""),
                    Files.readString(err, StandardCharsets.UTF_8).replace("\r", ""));
        } finally {
            Files.delete(out);
            Files.delete(err);
        }
    }

    private static ActionRun install(WinePrefix wine, String scenario, String step, Path msi) throws Exception {
        Path log = bed.logFor(scenario, step);
        int exit = wine.msiexecLogged("/i", msi, log, bed.javaHome);
        return new ActionRun(exit, WinePrefix.readLog(log), log, wine);
    }

    static String sha256(Path file) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
    }

    @Test
    void afterAHeldUpgradePendingAndStatusSayARebootIsDueAndAfterItDone() throws Exception {
        long start = System.nanoTime();
        String scenario = "cli-held-upgrade";
        bed.scenario(scenario, wine -> {
            assertEquals(0, install(wine, scenario, "install-v1", bed.v1.msi()).exit());
            bed.removalRestoresNothing(wine);
            String expected = sha256(bed.v2.payload().path());
            try (Locker locker = Locker.start(wine, bed.wintest, TARGET, bed.logFor(scenario, "locker").getParent())) {
                ActionRun upgrade = install(wine, scenario, "install-v2", bed.v2.msi());
                assertEquals(3010, upgrade.exit(), upgrade.logFile().toString());
                upgrade.contains("reboot-pending record HKLM\\SOFTWARE\\inuse\\MAPI32\\RebootPending\\System#MAPI32.DLL: "
                        + bed.v2.payload().version() + ", SHA-256 " + expected);

                Cli who = inuse(wine, "who", TARGET);
                assertEquals(1, who.code(), who.toString());
                assertTrue(who.lines().get(0).startsWith(TARGET + ": locked by wintest.exe (pid "), who.toString());
                JsonNode whoJson = inuse(wine, "who", TARGET, "--json").json();
                assertEquals("locked", whoJson.get("verdict").asText());
                JsonNode locker0 = whoJson.get("lockers").get(0);
                assertTrue(locker0.get("image").asText().toLowerCase().endsWith("wintest.exe"), whoJson.toString());
                assertTrue(who.out().contains("held by pid " + locker0.get("pid").asLong() + " "), "text and JSON name the same process");

                Cli pending = inuse(wine, "pending");
                assertEquals(0, pending.code(), pending.toString());
                assertEquals("PendingFileRenameOperations: 1 operation(s)", pending.lines().get(0), pending.toString());
                assertEquals("   1  move    " + TARGET + ".inuse-1.tmp -> " + TARGET + " (replace existing)  [this product]",
                        pending.lines().get(1), pending.toString());
                JsonNode pendingJson = inuse(wine, "pending", "--json").json();
                assertEquals(1, pendingJson.get("ownEntries").asInt());
                assertEquals(0, pendingJson.get("staleEntries").asInt());
                assertEquals("this product", pendingJson.get("values").get(0).get("entries").get(0).get("owner").asText());

                Cli status = inuse(wine, "status");
                assertEquals(1, status.code(), status.toString());
                assertTrue(status.lines().contains("  state:    reboot pending: the replacement waits for the next reboot"), status.toString());
                assertTrue(status.lines().contains("  expected: " + bed.v2.payload().version() + ", SHA-256 " + expected
                        + " (reboot-pending record)"), status.toString());
                assertTrue(status.lines().contains("reboot needed: yes"), status.toString());
                JsonNode statusJson = inuse(wine, "status", "--json").json();
                JsonNode target = statusJson.get("targets").get(0);
                assertEquals("reboot-pending", target.get("state").asText());
                assertEquals(expected, target.get("expectedSha256").asText());
                assertEquals(bed.v1.payload().version().toString(), target.get("version").asText());
                assertTrue(target.get("record").get("lockers").get(0).asText().startsWith("wintest.exe (pid "), target.toString());
                String query = wine.wine("reg", "query", RECORD);
                assertTrue(query.contains("Sha256") && query.contains(expected) && query.contains(TARGET), query);
            }
            wine.reboot();
            Cli done = inuse(wine, "status");
            assertEquals(0, done.code(), done.toString());
            assertTrue(done.lines().contains("  state:    done: the file has the expected SHA-256"), done.toString());
            assertTrue(done.lines().contains("  in place: " + bed.v2.payload().version() + ", SHA-256 " + expected), done.toString());
            assertTrue(done.out().contains("(done: removed now)"), done.toString());
            assertTrue(done.lines().contains("reboot needed: no"), done.toString());
            assertFalse(wine.wine("reg", "query", RECORD).contains("Sha256"), "the record is gone");
            JsonNode again = inuse(wine, "status", "--json").json();
            assertEquals("done", again.get("targets").get(0).get("state").asText());
            assertTrue(again.get("targets").get(0).get("record").isNull(), again.toString());
            assertEquals(false, again.get("rebootNeeded").asBoolean());
            Cli nothing = inuse(wine, "pending");
            assertEquals(0, nothing.code());
            assertEquals(List.of("PendingFileRenameOperations: none", "PendingFileRenameOperations2: none",
                    "0 of this product's, 0 stale"), nothing.lines());
            ActionRun.report("cli: held upgrade", start, "who exit 1 naming wintest.exe; pending [this product]; status exit 1 with the"
                    + " record; after the reboot status exit 0 done, record removed");
        });
    }

    @Test
    void aPackageThatEmbedsARuntimeInstallsItAndTheCommandLineRunsOnIt() throws Exception {
        long start = System.nanoTime();
        String scenario = "cli-installed-runtime";
        io.inuse.packaging.PackageBuilder.Result embedded = new io.inuse.packaging.PackageBuilder(new io.inuse.packaging.Toolchain(), bed.repo)
                .build(io.inuse.packaging.PackageBuilder.Spec.of(bed.v1.productVersion(), java.util.Optional.empty(), bed.engineJar,
                        java.util.Optional.of(bed.runtimes.good())), bed.work.resolve("packages-cli-runtime"));
        // every name that is not 8.3 has its short name beside it, as Windows Installer's Filename type wants
        String files = new io.inuse.packaging.Toolchain().run(bed.work, io.inuse.packaging.Toolchain.MSIINFO,
                List.of("export", embedded.msi().toString(), "File"));
        assertTrue(files.contains("RELAY~1.PRO|relay.properties"), files);
        assertTrue(files.contains("\tjava.exe\t"), files);
        bed.scenario(scenario, wine -> {
            Path log = bed.logFor(scenario, "install");
            assertEquals(0, wine.msiexecLogged("/i", embedded.msi(), log), log.toString());
            Path installed = wine.root().resolve("drive_c/Program Files/inuse/MAPI32/runtime");
            assertTrue(Files.isRegularFile(installed.resolve("bin/java.exe")) && Files.isRegularFile(installed.resolve("release")),
                    "the runtime is installed with the product");
            // installed without INUSE_JAVA_HOME and with no registered Java: the launcher can only use the installed runtime
            Cli status = inuse(wine, "status", "--verbose");
            assertEquals(0, status.code(), status.toString());
            assertTrue(status.err().contains("inuse: runtime C:\\Program Files\\inuse\\MAPI32\\runtime (Java 17.0.15, installed with the product)"),
                    status.toString());
            assertTrue(status.lines().contains("  state:    done: the file has the expected SHA-256"), status.toString());
            ActionRun.report("cli: the installed runtime", start, "status exit 0 on <product>\\runtime, short names in the File table");
        });
    }

    @Test
    void whoNamesAServiceAndBadInputIsOneLineWithItsCode() throws Exception {
        long start = System.nanoTime();
        String scenario = "cli-service-bad-input";
        bed.scenario(scenario, wine -> {
            assertEquals(0, install(wine, scenario, "install-v1", bed.v1.msi()).exit());
            try (ServiceLocker service = ServiceLocker.start(wine, bed.servicelocker, "InuseMailAgent", "Inuse Mail Agent", TARGET,
                    bed.logFor(scenario, "service").getParent())) {
                Cli who = inuse(wine, "who", TARGET);
                assertEquals(1, who.code(), who.toString());
                assertTrue(who.out().contains("; service Inuse Mail Agent (InuseMailAgent) [service]"), who.toString());
                JsonNode json = inuse(wine, "who", TARGET, "--json").json();
                JsonNode locker = json.get("lockers").get(0);
                assertEquals(service.pid, locker.get("pid").asLong());
                assertEquals("service", locker.get("kind").asText());
                assertEquals("InuseMailAgent", locker.get("services").get(0).get("name").asText());
                assertTrue(who.out().contains("held by pid " + service.pid + " "), "text and JSON agree");
            }
            Cli free = inuse(wine, "who", TARGET);
            assertEquals(0, free.code(), free.toString());
            assertEquals(TARGET + ": free", free.lines().get(0));

            Cli missing = inuse(wine, "who", "C:\\nowhere\\gone.dll");
            assertEquals(66, missing.code(), missing.toString());
            assertEquals("inuse: C:\\nowhere\\gone.dll: no such file. Give the full path of an existing file\n", missing.err());
            Cli unknown = inuse(wine, "frobnicate");
            assertEquals(64, unknown.code());
            assertTrue(unknown.err().startsWith("inuse: unknown command 'frobnicate'. usage: inuse who <path>"), unknown.toString());
            Path notReg = wine.root().resolve("drive_c/notes.reg");
            Files.writeString(notReg, "hello\r\n");
            Cli bad = inuse(wine, "pending", "--from", "C:\\notes.reg");
            assertEquals(65, bad.code());
            assertEquals(1, bad.err().lines().count(), bad.toString());
            assertTrue(bad.err().startsWith("inuse: C:\\notes.reg is not a registry export"), bad.toString());
            // a path outside the ANSI code page comes through the launcher and the runtime as typed
            Path greek = wine.root().resolve("drive_c/\u0395\u03bb\u03ad\u03bd\u03b7");
            Files.createDirectories(greek);
            Files.copy(bed.v1.payload().path(), greek.resolve(DLL));
            Cli far = inuse(wine, "pe", "C:\\\u0395\u03bb\u03ad\u03bd\u03b7\\" + DLL);
            assertEquals(0, far.code(), far.toString());
            assertEquals("C:\\\u0395\u03bb\u03ad\u03bd\u03b7\\" + DLL, far.lines().get(0));
            Cli pe = inuse(wine, "pe", TARGET, "--json");
            assertEquals(0, pe.code());
            assertEquals(bed.v1.payload().version().toString(), pe.json().get("fileVersion").asText());
            // the uninstall takes the command line, and the product's registry key, with it
            Path log = bed.logFor(scenario, "uninstall");
            assertEquals(0, wine.msiexecLogged("/x", bed.v1.msi(), log, bed.javaHome), log.toString());
            assertFalse(Files.exists(wine.root().resolve("drive_c/Program Files/inuse")), "no folder of the product is left");
            String key = wine.wine("reg", "query", "HKLM\\SOFTWARE\\inuse\\MAPI32");
            assertFalse(key.contains("JavaHome") || key.contains("RebootPending"), "the product's key is gone: " + key);
            ActionRun.report("cli: who names a service, bad input", start, "who exit 1 naming the service, 0 when free; 66, 64, 65 with one line;"
                    + " uninstall removes bin and the product's key");
        });
    }
}
