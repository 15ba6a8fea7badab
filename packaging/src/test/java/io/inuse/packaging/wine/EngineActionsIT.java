package io.inuse.packaging.wine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inuse.packaging.EnginePak;
import io.inuse.packaging.PackageBuilder;
import io.inuse.packaging.Toolchain;
import io.inuse.packaging.wine.engines.AsksFilesInUse;
import io.inuse.packaging.wine.engines.BreaksProtocol;
import io.inuse.packaging.wine.engines.Chatty;
import io.inuse.packaging.wine.engines.DiesEarly;
import io.inuse.packaging.wine.engines.ExitsAfterResult;
import io.inuse.packaging.wine.engines.Hangs;
import io.inuse.packaging.wine.engines.PropertyRoundTrip;
import io.inuse.packaging.wine.engines.RequestsReboot;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Java custom actions inside Wine's msiexec, with the real broker DLL and the real engine on
 * the build's Linux JVM (through the stand-in java.exe): where the runtime comes from, what the
 * engine's failures look like in the log, what crosses the protocol. Each scenario asserts the
 * full exit code, log lines, properties and the file on disk, and that no extraction folder is
 * left behind.
 */
class EngineActionsIT {
    private static WineTestBed bed;
    private static TestRuntimes runtimes;
    private static PackageBuilder.Result embedded;
    private static PackageBuilder.Result tampered;

    @BeforeAll
    static void prepare() throws Exception {
        bed = WineTestBed.get();
        runtimes = bed.runtimes;
        PackageBuilder builder = new PackageBuilder(new Toolchain(), bed.repo);
        String revision = bed.v1.productVersion();
        Toolchain tools = new Toolchain();
        embedded = ProbePackage.of(tools, builder.build(PackageBuilder.Spec.of(revision, Optional.empty(), bed.engineJar,
                Optional.of(runtimes.good())), bed.work.resolve("packages-embedded")), bed.work.resolve("packages-embedded"));
        List<EnginePak.Entry> entries = new ArrayList<>(EnginePak.entries(bed.engineJar, null));
        EnginePak.Entry jar = entries.get(0);
        entries.set(0, new EnginePak.Entry(jar.name(), jar.data(), new byte[32]));
        tampered = ProbePackage.of(tools, builder.build(new PackageBuilder.Spec(revision, Optional.empty(), entries),
                bed.work.resolve("packages-tampered")), bed.work.resolve("packages-tampered"));
    }

    private static ActionRun install(WinePrefix wine, String scenario, PackageBuilder.Result pkg, String... properties) throws Exception {
        return ActionRun.install(bed, wine, scenario, pkg, properties);
    }

    private static String javaHome(Path runtime) {
        return ActionRun.javaHome(runtime);
    }

    private static void noExtractionLeft(WinePrefix wine) throws Exception {
        ActionRun.noExtractionLeft(wine);
    }

    private static void installedV1(WinePrefix wine) throws Exception {
        ActionRun.installedV1(bed, wine);
    }

    private static void nothingInstalled(WinePrefix wine) throws Exception {
        ActionRun.nothingInstalled(bed, wine);
    }

    private static void report(String name, long start, String outcome) {
        ActionRun.report(name, start, outcome);
    }

    private static void bothActionsRan(ActionRun run, String source) {
        run.bothActionsRan(bed, source);
    }

    @Test
    void runtimeFromInuseJavaHome() throws Exception {
        long start = System.nanoTime();
        Path good = runtimes.good();
        bed.scenario("engine-1-java-home", wine -> {
            ActionRun run = install(wine, "engine-1-java-home", bed.probes, javaHome(good));
            assertEquals(0, run.exit());
            bothActionsRan(run, "INUSE_JAVA_HOME");
            run.contains("INUSE_JAVA_HOME=" + WinePrefix.windowsPath(good));
            run.lacks("asked Windows Installer for a reboot");
            run.contains("cannot verify that C:\\windows\\Installer\\inuse-");   // Wine keeps no DACL: said, not passed
            installedV1(wine);
            noExtractionLeft(wine);
        });
        Path reboots = runtimes.runningTestEngine("requests-reboot", RequestsReboot.class);
        bed.scenario("engine-1-java-home-reboot", wine -> {
            ActionRun run = install(wine, "engine-1-java-home-reboot", bed.probes, javaHome(reboots));
            assertEquals(3010, run.exit());
            bothActionsRan(run, "INUSE_JAVA_HOME");
            run.contains("inuse: InuseProbe: test engine RequestsReboot: asked Windows Installer for a reboot");
            installedV1(wine);
            noExtractionLeft(wine);
        });
        report("1 runtime from INUSE_JAVA_HOME", start, "exit=0, and 3010 from an engine that asks for a reboot; deferred read [CustomActionData] only");
    }

    @Test
    void runtimeRegisteredOnTheMachine() throws Exception {
        long start = System.nanoTime();
        bed.scenario("engine-registry", wine -> {
            // as a JDK installer registers itself; an unusable Java 11 registered beside it is passed over
            wine.wine("reg", "add", "HKLM\\SOFTWARE\\JavaSoft\\JDK\\17.0.15", "/v", "JavaHome", "/d",
                    WinePrefix.windowsPath(runtimes.good()), "/f");
            wine.wine("reg", "add", "HKLM\\SOFTWARE\\JavaSoft\\JDK\\11.0.2", "/v", "JavaHome", "/d",
                    WinePrefix.windowsPath(runtimes.withReleaseVersion("java11", "11.0.2")), "/f");
            ActionRun run = install(wine, "engine-registry", bed.probes);
            assertEquals(0, run.exit());
            bothActionsRan(run, "registry: Oracle/OpenJDK (JavaSoft JDK)");
            run.contains("cannot verify that runtime " + WinePrefix.windowsPath(runtimes.good())
                    + " can be changed only by Administrators, SYSTEM and TrustedInstaller: this platform (Wine) keeps no DACL");
            installedV1(wine);
            noExtractionLeft(wine);
        });
        report("registered runtime", start, "exit=0 with the runtime found under HKLM\\SOFTWARE\\JavaSoft\\JDK");
    }

    @Test
    void embeddedRuntimeWithoutAnyProperty() throws Exception {
        long start = System.nanoTime();
        bed.scenario("engine-2-embedded", wine -> {
            ActionRun run = install(wine, "engine-2-embedded", embedded);
            assertEquals(0, run.exit());
            bothActionsRan(run, "embedded in the package");
            run.contains("\\runtime (Java 17.0.15, embedded in the package)");
            installedV1(wine);
            noExtractionLeft(wine);
        });
        report("2 embedded test runtime", start, "exit=0");
    }

    @Test
    void noRuntimeAnywhereFailsWithOneClearLine() throws Exception {
        long start = System.nanoTime();
        bed.scenario("engine-3-no-runtime", wine -> {
            ActionRun run = install(wine, "engine-3-no-runtime", bed.probes);
            assertEquals(1603, run.exit());
            run.contains("inuse broker: no Java runtime for the inuse engine: the package embeds none, INUSE_JAVA_HOME is not set, "
                    + "and no Java runtime is registered on this machine. Provide one of the three:");
            // the first Java action in the sequence (InuseDetect, 1398) is the one that fails
            run.contains("inuse broker: InuseDetect: engine read properties []; result 1603");
            run.lacks("InuseProbeDeferred: received");
            nothingInstalled(wine);
            noExtractionLeft(wine);
        });
        report("3 no runtime anywhere", start, "exit=1603, the clear line, nothing installed");
    }

    @Test
    void anEngineThatDiesBeforeItsResult() throws Exception {
        long start = System.nanoTime();
        Path dies = runtimes.runningTestEngine("dies", DiesEarly.class);
        bed.scenario("engine-4-dies", wine -> {
            ActionRun run = install(wine, "engine-4-dies", bed.probes, javaHome(dies));
            assertEquals(1603, run.exit());
            run.contains("inuse broker: the engine ended without sending its result (exit code 3). Its last stderr lines: "
                    + "test engine DiesEarly: starting InuseDetect | test engine DiesEarly: simulated crash before the result");
            run.contains("inuse broker: engine: test engine DiesEarly: simulated crash before the result");
            nothingInstalled(wine);
            noExtractionLeft(wine);
        });
        Path exits = runtimes.runningTestEngine("exits-after-result", ExitsAfterResult.class);
        bed.scenario("engine-4-exits-after-result", wine -> {
            ActionRun run = install(wine, "engine-4-exits-after-result", bed.probes, javaHome(exits));
            assertEquals(1603, run.exit());
            run.contains("inuse broker: the engine sent result 0 but then exited with code 5: counted as a failure.");
            nothingInstalled(wine);
        });
        report("4 engine dies before its result", start, "exit=1603 with its stderr quoted; result then exit 5: 1603 too");
    }

    @Test
    void anEngineThatHangsIsEndedAfterTheTimeout() throws Exception {
        long start = System.nanoTime();
        Path hangs = runtimes.runningTestEngine("hangs", Hangs.class);
        bed.scenario("engine-5-hangs", wine -> {
            long t0 = System.nanoTime();
            ActionRun run = install(wine, "engine-5-hangs", bed.probes, javaHome(hangs), "INUSE_ENGINE_TIMEOUT=3");
            double seconds = (System.nanoTime() - t0) / 1e9;
            assertEquals(1603, run.exit());
            run.contains("inuse broker: the engine sent nothing for 3 s and was ended. Its last stderr lines: test engine Hangs: started, now silent.");
            assertTrue(seconds < 30, "ended after the short timeout, not the default: " + seconds + " s");
            nothingInstalled(wine);
            noExtractionLeft(wine);
            report("5 engine hangs", start, String.format("exit=1603 after INUSE_ENGINE_TIMEOUT=3 (msiexec %.1f s)", seconds));
        });
    }

    @Test
    void theTimeoutStopsWhileAPersonAnswersFilesInUse() throws Exception {
        long start = System.nanoTime();
        Path asks = runtimes.runningTestEngine("asks-files-in-use", AsksFilesInUse.class);
        bed.scenario("engine-files-in-use", wine -> {
            // Wine's internal UI does not show FILESINUSE: an external UI handler answers it (WINE-TESTBED.md)
            Path log = bed.logFor("engine-files-in-use", "retry-after-5s");
            String out = wine.wintest("ui", WinePrefix.windowsPath(bed.probes.msi()), "4", "5000", WinePrefix.windowsPath(log),
                    javaHome(asks), "INUSE_ENGINE_TIMEOUT=2");
            assertTrue(out.contains("FILESINUSE record, 2 fields: [0]= [1]=upsmon.exe [2]=UPS Monitor (pid 77) -> answering 4 after 5000 ms"), out);
            assertTrue(out.contains("EXITCODE=0"), out);
            String text = WinePrefix.readLog(log);
            assertTrue(text.matches("(?s).*inuse: InuseProbe: FilesInUse answered 4 after [5-9][0-9]{3} ms.*"), "answered after the 5 s wait: " + log);
            assertTrue(text.contains("inuse: InuseProbeDeferred: received CustomActionData {"), log.toString());
            installedV1(wine);
        });
        bed.scenario("engine-files-in-use-cancel", wine -> {
            Path log = bed.logFor("engine-files-in-use-cancel", "cancel");
            String out = wine.wintest("ui", WinePrefix.windowsPath(bed.probes.msi()), "2", "0", WinePrefix.windowsPath(log), javaHome(asks));
            assertTrue(out.contains("EXITCODE=1602"), out);
            String text = WinePrefix.readLog(log);
            // the test engine asks in every immediate action: InuseDetect (1398) is the first
            assertTrue(text.contains("inuse: InuseDetect: cancelled: Cancel chosen in FilesInUse"), log.toString());
            assertTrue(text.contains("inuse broker: InuseDetect: engine read properties []; result 1602"), log.toString());
            nothingInstalled(wine);
            noExtractionLeft(wine);
        });
        report("FilesInUse wait", start, "answer after 5 s with INUSE_ENGINE_TIMEOUT=2: exit 0 (the clock stood still); Cancel: 1602");
    }

    @Test
    void aChattyEngineIsNeverBlockedByItsStderr() throws Exception {
        long start = System.nanoTime();
        Path chatty = runtimes.runningTestEngine("chatty", Chatty.class);
        bed.scenario("engine-chatty", wine -> {
            ActionRun run = install(wine, "engine-chatty", bed.probes, javaHome(chatty), "INUSE_ENGINE_TIMEOUT=20");
            assertEquals(0, run.exit());
            bothActionsRan(run, "INUSE_JAVA_HOME");
            // lines beyond what the log takes are counted, not logged, and never block the engine
            run.contains(" stderr lines not logged: the engine wrote faster than the log took them)");
            installedV1(wine);
            report("chatty engine", start, "exit=0 after 4 MiB of stderr per action");
        });
    }

    @Test
    void anUnknownRequestGetsAnErrorReplyAndAMalformedFrameEndsTheAction() throws Exception {
        long start = System.nanoTime();
        Path breaks = runtimes.runningTestEngine("breaks-protocol", BreaksProtocol.class);
        bed.scenario("engine-protocol", wine -> {
            ActionRun run = install(wine, "engine-protocol", bed.probes, javaHome(breaks));
            assertEquals(1603, run.exit());
            run.contains("inuse broker: the engine sent an unknown request (op 99): answered with an error");
            run.contains("inuse: InuseProbe: unknown op 99 answered: status 1, api protocol, unknown request op 99");
            run.contains("inuse broker: InuseProbe: engine read properties [INUSE_JAVA_HOME,INUSE_ENGINE_TIMEOUT,ProductVersion]; result 0");
            // the quote itself, with the line the engine wrote just before the bad frame
            run.contains("inuse broker: the engine broke the protocol (malformed frame at offset 11: unknown value tag) and then "
                    + "exited with code 0. Its last stderr lines: test engine BreaksProtocol: about to send a frame with value tag 9");
            nothingInstalled(wine);
            noExtractionLeft(wine);
        });
        report("protocol misuse", start, "unknown op: error reply, conversation goes on; malformed frame: 1603 with a line");
    }

    @Test
    void aJvmThatWarnsStillWritesOnlyFramesToStdout() throws Exception {
        long start = System.nanoTime();
        // -XX:+UseLargePages on a machine without large pages makes HotSpot warn through unified
        // logging, which writes to stdout by default: the frame pipe, unless the broker moves it
        Path warns = runtimes.withJvmOptions("warns", "-XX:+UseLargePages");
        bed.scenario("engine-jvm-warns", wine -> {
            ActionRun run = install(wine, "engine-jvm-warns", bed.probes, javaHome(warns));
            assertEquals(0, run.exit());
            bothActionsRan(run, "INUSE_JAVA_HOME");
            assertTrue(run.log().matches("(?s).*inuse broker: engine: \\[[0-9.]+s\\]\\[warning\\]\\[pagesize\\] UseLargePages disabled.*"),
                    "the JVM's warning reached the log through stderr: " + run.logFile());
            run.lacks("broke the protocol");
            installedV1(wine);
            noExtractionLeft(wine);
        });
        report("JVM warning", start, "exit=0 with -XX:+UseLargePages: the warning went to stderr and the log, not the frame pipe");
    }

    @Test
    void aDifficultPropertyValueRoundTrips() throws Exception {
        long start = System.nanoTime();
        Path roundTrip = runtimes.runningTestEngine("roundtrip", PropertyRoundTrip.class);
        bed.scenario("engine-6-roundtrip", wine -> {
            ActionRun run = install(wine, "engine-6-roundtrip", bed.probes, javaHome(roundTrip));
            assertEquals(0, run.exit());
            String value = PropertyRoundTrip.VALUE;
            run.contains("inuse: InuseProbe: round trip equal: " + value.length() + " UTF-16 units, "
                    + value.codePointCount(0, value.length()) + " code points, formatted equal too; sample " + value.substring(0, 30));
            // the log is in the ANSI code page, where the non-ASCII part cannot appear as such: the engine's
            // comparison above is the round trip; this shows the value reached Windows Installer's own property table
            run.contains("Property(S): INUSE_ROUNDTRIP = first line\nsecond \"double\" 'single' Zo");
            run.contains("xxxxxxxx end\n");
            installedV1(wine);
            noExtractionLeft(wine);
        });
        report("6 property round trip", start, "exit=0, newline/quotes/non-ASCII/32 KiB equal through set, get and format");
    }

    @Test
    void badRuntimesAndADamagedPackageEachGiveAClearLine() throws Exception {
        long start = System.nanoTime();
        record Bad(String name, Path runtime, String line) {
        }
        List<Bad> cases = List.of(
                new Bad("no-java-exe", runtimes.withoutJavaExe(), "has no bin\\java.exe"),
                new Bad("x86", runtimes.thirtyTwoBit(), "java.exe is a 32-bit x86 program (machine 0x014c); the engine needs an x64 Java 17 or later"),
                new Bad("java11", runtimes.withReleaseVersion("java11", "11.0.2"), "is Java 11.0.2 (its release file); the engine needs Java 17 or later"));
        for (Bad bad : cases) {
            bed.scenario("engine-bad-" + bad.name(), wine -> {
                ActionRun run = install(wine, "engine-bad-" + bad.name(), bed.probes, javaHome(bad.runtime()));
                assertEquals(1603, run.exit(), bad.name());
                run.contains("inuse broker: INUSE_JAVA_HOME=" + WinePrefix.windowsPath(bad.runtime()) + " is not usable: ");
                run.contains(bad.line());
                nothingInstalled(wine);
                noExtractionLeft(wine);
            });
        }
        bed.scenario("engine-bad-hash", wine -> {
            ActionRun run = install(wine, "engine-bad-hash", tampered, javaHome(runtimes.good()));
            assertEquals(1603, run.exit());
            run.contains("inuse broker: InuseDetect: cannot prepare the engine: extracted file C:\\windows\\Installer\\inuse-");
            run.contains("\\engine\\inuse-engine.jar does not match the SHA-256 recorded at build time");
            run.lacks("engine started");
            nothingInstalled(wine);
            noExtractionLeft(wine);
        });
        report("bad input", start, "no bin\\java.exe, 32-bit java.exe, Java 11, altered engine jar: each 1603 with its line");
    }

    @Test
    void deletingTheExtractionFolderNeverFollowsAReparsePoint() throws Exception {
        long start = System.nanoTime();
        bed.scenario("engine-reparse", wine -> {
            Path driveC = wine.root().resolve("drive_c");
            Path victim = Files.createDirectories(driveC.resolve("victim"));
            Files.writeString(victim.resolve("canary.txt"), "must survive");
            Path tree = Files.createDirectories(driveC.resolve("extracted/engine"));
            Files.writeString(tree.resolve("inuse-engine.jar"), "x");
            // A Linux symbolic link to a folder shows up in Wine as a reparse point (WINE-TESTBED.md).
            // Measured: Wine cannot remove such a link (RemoveDirectoryW gives 145 while the target is not
            // empty), and it shows a link to a file as a plain file whose DeleteFileW deletes the target:
            // Windows' semantics (RemoveDirectoryW and DeleteFileW remove the link itself) stay unverified.
            // What Wine shows: delete_tree never enters a reparse point, so nothing behind it is deleted.
            Files.createSymbolicLink(driveC.resolve("extracted/junction"), victim);
            String result = wine.wintest("rmtree", "C:\\extracted").strip();
            assertTrue(result.equals("rmtree ok") || result.equals("rmtree failed error=145"), result);
            assertFalse(Files.exists(driveC.resolve("extracted/engine")), "the real content is gone");
            assertEquals("must survive", Files.readString(victim.resolve("canary.txt")), "what the link points to is untouched");
            report("reparse point", start, "delete_tree removed the real files, did not enter the link, its target untouched (" + result + ")");
        });
    }

    @Test
    void theReleasedPackageCarriesNoTestRuntime() throws Exception {
        byte[] broker = extractBinary(bed.probes.msi(), "InuseBroker");
        List<EnginePak.Entry> entries = EnginePak.inBrokerDll(broker);
        assertEquals(List.of("engine/inuse-engine.jar", "engine/inuse-targets.jar"), entries.stream().map(EnginePak.Entry::name).toList());
        assertFalse(new String(broker, StandardCharsets.ISO_8859_1).contains(TestRuntimes.RELAY_MARKER));
        List<String> embeddedNames = EnginePak.inBrokerDll(extractBinary(embedded.msi(), "InuseBroker")).stream().map(EnginePak.Entry::name).toList();
        assertTrue(embeddedNames.contains("runtime/bin/java.exe"), "the check can see a runtime: " + embeddedNames);
    }

    private static byte[] extractBinary(Path msi, String name) {
        return new io.inuse.packaging.PackageVerifier(new io.inuse.packaging.Toolchain()).binary(msi, name);
    }
}
