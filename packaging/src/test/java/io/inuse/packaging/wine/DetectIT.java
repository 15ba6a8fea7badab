package io.inuse.packaging.wine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inuse.pe.FileVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The detect action (InuseDetect, issue 14) in the shipped package, inside Wine's msiexec: the real
 * broker and the real engine on the stand-in runtime. v1 is installed first, so that System32 holds
 * our MAPI32.DLL (Wine never maps its own built-in from the prefix's file), then v2 is installed over
 * it while a process ({@code wintest lock}) holds it, or holds a same-named DLL elsewhere, or nothing
 * does. Each scenario asserts the exit code, the file on disk by version, the detect action's log
 * lines, {@code INUSE_LOCKERS} and, where it matters, PendingFileRenameOperations.
 *
 * <p>FILESINUSE is answered by the scripted external UI front end ({@code wintest ui}). The action
 * asks only at UILevel 4 or 5, and {@code wintest ui} has run the install with internal UI "none"
 * (UILevel 2); a UILevel property on the command line does not change that (Wine's msi sets
 * UILevel from the internal UI level, measured: "Property(S): UILevel = 2"). So the front end is
 * started with {@code WINTEST_UILEVEL=5} (INSTALLUILEVEL_FULL, which Wine runs headless: measured),
 * which a wintest that reads it passes to MsiSetInternalUI; with a wintest that does not, the
 * FilesInUse scenarios are skipped with that reason.
 */
class DetectIT {
    private static final String DLL = "MAPI32.DLL";
    private static final String SYSTEM32_DLL = "C:\\windows\\system32\\" + DLL;
    /** The internal UI level for {@code wintest ui}: INSTALLUILEVEL_FULL, at which the detect action asks. */
    private static final String UI_LEVEL = "5";
    private static final Pattern LOCKERS = Pattern.compile("Property\\(S\\): INUSE_LOCKERS = ([^\\r\\n]*)");
    private static WineTestBed bed;

    @BeforeAll
    static void prepare() throws Exception {
        bed = WineTestBed.get();
    }

    private static void report(String name, long start, String outcome) {
        System.out.printf("DETECT SCENARIO %s: PASS %s (%.1f s)%n", name, outcome, (System.nanoTime() - start) / 1e9);
    }

    private static FileVersion v1() {
        return bed.v1.payload().version();
    }

    private static FileVersion v2() {
        return bed.v2.payload().version();
    }

    private static Path lockerDir(String scenario) throws Exception {
        return bed.logFor(scenario, "locker").getParent();
    }

    private static void installV1(WinePrefix wine, String scenario) throws Exception {
        ActionRun run = ActionRun.install(bed, wine, scenario + "-v1", bed.v1, bed.javaHome);
        assertEquals(0, run.exit(), "v1 installs: " + run.logFile());
        assertEquals(Optional.of(v1()), wine.system32Version(DLL));
    }

    /** The pid of a locker, from its "loaded pid=N path=..." line. */
    private static long pid(Locker locker) {
        Matcher m = Pattern.compile("loaded pid=([0-9]+) ").matcher(locker.loadedLine);
        assertTrue(m.find(), locker.loadedLine);
        return Long.parseLong(m.group(1));
    }

    /**
     * The last INUSE_LOCKERS in the log's property dump (the detect action sets it on every detection);
     * "" when the dump has none: Windows Installer drops a property set to "" (MsiSetProperty).
     */
    private static String lockersProperty(String log) {
        Matcher m = LOCKERS.matcher(log);
        String last = "";
        while (m.find()) {
            last = m.group(1);
        }
        return last;
    }

    private static void heldByLocker(String log, Path logFile, long pid) {
        String held = "inuse: InuseDetect: " + DLL + " in C:\\windows\\system32 is held by wintest.exe (pid " + pid + ", ";
        assertTrue(log.contains(held), logFile + " should contain: " + held);
        assertTrue(Pattern.compile(Pattern.quote(held) + "[^\\r\\n]*\\\\wintest\\.exe, application\\)").matcher(log).find(),
                "the locker's image path: " + logFile);
        String lockers = lockersProperty(log);
        assertTrue(lockers.matches(pid + "\\|APPLICATION\\|[^|]*\\\\wintest\\.exe\\|\\|"), "INUSE_LOCKERS = " + lockers);
    }

    @Test
    void nothingLockedIsFree() throws Exception {
        long start = System.nanoTime();
        String scenario = "detect-free";
        bed.scenario(scenario, wine -> {
            installV1(wine, scenario);
            ActionRun run = ActionRun.install(bed, wine, scenario, bed.v2, bed.javaHome);
            assertEquals(0, run.exit());
            run.contains("inuse: InuseDetect: [System]\\MAPI32.DLL (C:\\windows\\system32\\MAPI32.DLL): free");
            assertEquals("", lockersProperty(run.log()));
            run.contains("inuse broker: InuseDetect: engine read properties []; result 0");
            assertEquals(Optional.of(v2()), wine.system32Version(DLL));
            assertEquals(Optional.empty(), wine.pendingFileRenameOperations());
            ActionRun.noExtractionLeft(wine);
        });
        report("nothing locked", start, "exit=0, 'free', INUSE_LOCKERS empty, " + DLL + "=" + v2() + " pending=none");
    }

    @Test
    void aLockerIsNamedInTheLogAndTheProperty() throws Exception {
        long start = System.nanoTime();
        String scenario = "detect-1-locked-qn";
        long[] pid = new long[1];
        bed.scenario(scenario, wine -> {
            installV1(wine, scenario);
            try (Locker locker = Locker.start(wine, bed.wintest, SYSTEM32_DLL, lockerDir(scenario))) {
                pid[0] = pid(locker);
                ActionRun run = ActionRun.install(bed, wine, scenario, bed.v2, bed.javaHome);
                assertEquals(3010, run.exit(), "Wine replaces the held file at the next reboot: " + run.logFile());
                run.contains("inuse: InuseDetect: [System]\\MAPI32.DLL (C:\\windows\\system32\\MAPI32.DLL): locked by wintest.exe (pid "
                        + pid[0] + ")");
                heldByLocker(run.log(), run.logFile(), pid[0]);
                run.contains("1 target(s) locked; UILevel '2': no UI to ask");
                assertEquals(Optional.of(v1()), wine.system32Version(DLL), "v1 stays until the reboot");
                assertTrue(wine.pendingFileRenameOperations().isPresent(), "the replacement is pending");
            }
        });
        report("1 locked, /qn", start, "exit=3010, the locker (pid " + pid[0] + ", ...\\wintest.exe, application) logged and in INUSE_LOCKERS");
    }

    @Test
    void aSameNamedDllElsewhereIsNotALocker() throws Exception {
        long start = System.nanoTime();
        String scenario = "detect-3-other-folder";
        bed.scenario(scenario, wine -> {
            installV1(wine, scenario);
            Path other = Files.createDirectories(wine.root().resolve("drive_c/other"));
            Files.copy(WinePrefix.findIgnoringCase(wine.system32(), DLL).orElseThrow(), other.resolve(DLL));
            try (Locker locker = Locker.start(wine, bed.wintest, "C:\\other\\" + DLL, lockerDir(scenario))) {
                assertTrue(locker.loadedLine.contains("path=C:\\other\\" + DLL), "the locker holds the other folder's copy: " + locker.loadedLine);
                ActionRun run = ActionRun.install(bed, wine, scenario, bed.v2, bed.javaHome);
                assertEquals(0, run.exit(), run.logFile().toString());
                run.contains("inuse: InuseDetect: [System]\\MAPI32.DLL (C:\\windows\\system32\\MAPI32.DLL): free");
                run.lacks("is held by");
                assertEquals("", lockersProperty(run.log()));
                assertEquals(Optional.of(v2()), wine.system32Version(DLL));
                assertEquals(Optional.empty(), wine.pendingFileRenameOperations());
            }
        });
        report("3 same name, other folder", start, "exit=0, System32's file free, INUSE_LOCKERS empty, " + DLL + "=" + v2());
    }

    /** {@code wintest ui} with this answer and delay: its output, the log, and the exit code it printed. */
    private record UiRun(String out, String log, Path logFile, int exit) {
    }

    private static UiRun ui(WinePrefix wine, String scenario, String answer, int delayMs, Locker stopDuringDelay) throws Exception {
        Path log = bed.logFor(scenario, "ui-" + answer);
        Path outFile = log.resolveSibling("ui-" + answer + ".out");
        ProcessBuilder builder = wine.processBuilder(List.of("wine", bed.wintest.toString(), "ui", WinePrefix.windowsPath(bed.v2.msi()), answer,
                Integer.toString(delayMs), WinePrefix.windowsPath(log), bed.javaHome)).redirectOutput(outFile.toFile());
        builder.environment().put("WINTEST_UILEVEL", UI_LEVEL);
        Process p = builder.start();
        if (stopDuringDelay != null) {
            // the locker stops while the front end waits to answer: Retry then finds the file free
            for (int i = 0; i < 1200 && !Files.readString(outFile).contains("FILESINUSE record") && p.isAlive(); i++) {
                Thread.sleep(100);
            }
            assertTrue(Files.readString(outFile).contains("FILESINUSE record"), "FILESINUSE was sent: " + Files.readString(outFile));
            stopDuringDelay.close();
        }
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "wintest ui ended");
        String out = Files.readString(outFile).replace("\r", "");
        Matcher m = Pattern.compile("EXITCODE=([0-9]+)").matcher(out);
        assertTrue(m.find(), "wintest ui printed an exit code: " + out);
        assertTrue(WinePrefix.readLog(log).contains("Property(S): UILevel = " + UI_LEVEL), "the install ran at UILevel " + UI_LEVEL + ": " + log);
        return new UiRun(out, WinePrefix.readLog(log), log, Integer.parseInt(m.group(1)));
    }

    private static void recordListsLocker(UiRun run, long pid) {
        assertTrue(Pattern.compile("FILESINUSE record, [0-9]+ fields:.*\\[1\\]=wintest\\.exe \\[2\\]=pid " + pid + "\\b").matcher(run.out()).find(),
                "the record lists the locker: " + run.out());
    }

    @Test
    void filesInUseThroughTheExternalUi() throws Exception {
        // wintest ui runs the install at WINTEST_UILEVEL=5 (full UI): the action asks only at UILevel 4 or 5
        long start = System.nanoTime();
        String cancel = "detect-4-ui-cancel";
        bed.scenario(cancel, wine -> {
            installV1(wine, cancel);
            try (Locker locker = Locker.start(wine, bed.wintest, SYSTEM32_DLL, lockerDir(cancel))) {
                UiRun run = ui(wine, cancel, "2", 0, null);
                recordListsLocker(run, pid(locker));
                assertEquals(1602, run.exit(), run.out());
                assertTrue(run.log().contains("inuse: InuseDetect: cancelled: Exit chosen in FilesInUse"), run.logFile().toString());
                assertTrue(run.log().contains("inuse broker: InuseDetect: engine read properties [UILevel]; result 1602"), run.logFile().toString());
                assertEquals(Optional.of(v1()), wine.system32Version(DLL), "v1 stays");
                assertTrue(wine.isRegistered(bed.v1.productCode()), "v1 stays registered");
                assertEquals(Optional.empty(), wine.pendingFileRenameOperations());
            }
        });
        String ignore = "detect-4-ui-ignore";
        bed.scenario(ignore, wine -> {
            installV1(wine, ignore);
            try (Locker locker = Locker.start(wine, bed.wintest, SYSTEM32_DLL, lockerDir(ignore))) {
                UiRun run = ui(wine, ignore, "5", 0, null);
                recordListsLocker(run, pid(locker));
                assertEquals(3010, run.exit(), run.out());
                assertTrue(run.log().contains("inuse: InuseDetect: Ignore chosen in FilesInUse: continuing"), run.logFile().toString());
                assertEquals(Optional.of(v1()), wine.system32Version(DLL), "v1 stays until the reboot");
                assertTrue(wine.pendingFileRenameOperations().isPresent(), "the replacement is pending");
            }
        });
        String retry = "detect-4-ui-retry";
        bed.scenario(retry, wine -> {
            installV1(wine, retry);
            Locker locker = Locker.start(wine, bed.wintest, SYSTEM32_DLL, lockerDir(retry));
            long pid = pid(locker);
            UiRun run = ui(wine, retry, "4", 8000, locker);
            recordListsLocker(run, pid);
            assertEquals(1, run.out().split("FILESINUSE record", -1).length - 1, "asked once: " + run.out());
            assertEquals(0, run.exit(), run.out());
            assertTrue(run.log().contains("inuse: InuseDetect: Retry chosen in FilesInUse: detecting again"), run.logFile().toString());
            assertTrue(run.log().contains("inuse: InuseDetect: no target is locked any more: continuing"), run.logFile().toString());
            assertEquals("", lockersProperty(run.log()));
            assertEquals(Optional.of(v2()), wine.system32Version(DLL));
            assertEquals(Optional.empty(), wine.pendingFileRenameOperations());
        });
        report("4 FilesInUse through the external UI", start, "Cancel: 1602, v1 stays, pending=none; Ignore: 3010, pending; "
                + "Retry with the locker stopped during the 8 s wait: 0, " + DLL + "=" + v2());
    }
}
