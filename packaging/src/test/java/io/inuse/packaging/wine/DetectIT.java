package io.inuse.packaging.wine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inuse.pe.FileVersion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The detect action (InuseDetect, issue 14) in the shipped package, inside Wine's msiexec: the real
 * broker and the real engine on the stand-in runtime. v1 is installed first, so that System32 holds
 * our MAPI32.DLL (Wine never maps its own built-in from the prefix's file), then v2 is installed over
 * it while a process ({@code wintest lock}) holds it, or a Windows service ({@link ServiceLocker},
 * registered with the SCM under a short and a display name) holds it, or both do, or a process holds
 * a same-named DLL elsewhere, or nothing does. Each scenario asserts the exit code, the file on disk
 * by version, the detect action's log lines, {@code INUSE_LOCKERS} and, where it matters,
 * PendingFileRenameOperations.
 *
 * <p>FILESINUSE is answered by the scripted external UI front end ({@code wintest ui}). The action
 * asks only at UILevel 4 or 5, and {@code wintest ui} left to itself runs the install with internal
 * UI "none" (UILevel 2); a UILevel property on the command line does not change that (Wine's msi
 * sets UILevel from the internal UI level, measured: "Property(S): UILevel = 2"). So the front end
 * is started with {@code WINTEST_UILEVEL=5} (INSTALLUILEVEL_FULL, which Wine runs headless:
 * measured), which it passes to MsiSetInternalUI; every FilesInUse scenario asserts that its install
 * ran at that level.
 */
class DetectIT {
    private static final String DLL = "MAPI32.DLL";
    private static final String SYSTEM32_DLL = "C:\\windows\\system32\\" + DLL;
    /** The internal UI level for {@code wintest ui}: INSTALLUILEVEL_FULL, at which the detect action asks. */
    private static final String UI_LEVEL = "5";
    private static final Pattern LOCKERS = Pattern.compile("Property\\(S\\): INUSE_LOCKERS = ([^\\r\\n]*)");
    /** The service locker's short name, and its display name: spaces, and a comma that INUSE_LOCKERS percent-encodes. */
    private static final String SERVICE = "inusemail";
    private static final String SERVICE_DISPLAY = "Inuse Mail Relay, Test";
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
        bed.registerRuntime(wine);   // for Wine's removal of v1 inside the upgrade to v2 (WineTestBed.registerRuntime)
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

    /** The process locker's image path: wintest.exe where the test bed built it, through Wine's Z: drive. */
    private static String wintestImage() {
        return WinePrefix.windowsPath(bed.wintest);
    }

    /** The detect action's log line for the process locker (Detect.describe). */
    private static String heldByProcess(long pid) {
        return "inuse: InuseDetect: " + DLL + " in C:\\windows\\system32 is held by wintest.exe (pid " + pid + ", " + wintestImage() + ", application)";
    }

    /** Its INUSE_LOCKERS entry (LockersProperty): pid|kind|image|short names|display names. */
    private static String processEntry(long pid) {
        return pid + "|APPLICATION|" + wintestImage() + "||";
    }

    /** The detect action's log line for the service locker: its process, then the service by display and short name. */
    private static String heldByService(ServiceLocker service) {
        return "inuse: InuseDetect: " + DLL + " in C:\\windows\\system32 is held by servicelocker.exe (pid " + service.pid + ", "
                + ServiceLocker.IMAGE + ", service " + SERVICE_DISPLAY + " (" + SERVICE + "))";
    }

    /** Its INUSE_LOCKERS entry: the comma of the display name percent-encoded, nothing else. */
    private static String serviceEntry(ServiceLocker service) {
        return service.pid + "|SERVICE|" + ServiceLocker.IMAGE + "|" + SERVICE + "|Inuse Mail Relay%2C Test";
    }

    private static ServiceLocker startService(WinePrefix wine, String scenario) throws Exception {
        ServiceLocker service = ServiceLocker.start(wine, bed.servicelocker, SERVICE, SERVICE_DISPLAY, SYSTEM32_DLL, lockerDir(scenario));
        assertTrue(service.loadedLine.endsWith(" path=" + SYSTEM32_DLL), "the service holds System32's file: " + service.loadedLine);
        return service;
    }

    /** The replace action queued the replacement: exactly its own entry, the temporary copy onto the target with the ! marker. */
    private static void replacementPending(WinePrefix wine) throws Exception {
        ActionRun.ourReplacementPending(wine, SYSTEM32_DLL);
    }

    /**
     * The process and the service both hold the file: the target's finding, one log line each, and
     * both INUSE_LOCKERS entries, in pid order (Detect.detectOnce).
     */
    private static void heldByBoth(String log, Path logFile, long processPid, ServiceLocker service) {
        String processName = "wintest.exe (pid " + processPid + ")";
        String serviceName = "Service: " + SERVICE_DISPLAY + " (" + SERVICE + ")";
        boolean processFirst = processPid < service.pid;
        String finding = "inuse: InuseDetect: [System]\\MAPI32.DLL (C:\\windows\\system32\\MAPI32.DLL): locked by "
                + (processFirst ? processName + ", " + serviceName : serviceName + ", " + processName);
        for (String line : List.of(finding, heldByProcess(processPid), heldByService(service))) {
            assertTrue(log.contains(line), logFile + " should contain: " + line);
        }
        String entries = processFirst ? processEntry(processPid) + ";" + serviceEntry(service) : serviceEntry(service) + ";" + processEntry(processPid);
        assertEquals(entries, lockersProperty(log), "INUSE_LOCKERS in " + logFile);
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
            run.contains("inuse broker: InuseDetect: engine read properties [REMOVE,INUSE_WHEN_LOCKED,INUSE_STRATEGY,INUSE_FORCE_EQUAL,INUSE_JAVA_HOME,INUSE_JAVA_HOME_SAVED,INUSE_ENGINE_TIMEOUT]; result 0");
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
                run.contains(heldByProcess(pid[0]));
                assertEquals(processEntry(pid[0]), lockersProperty(run.log()), "INUSE_LOCKERS in " + run.logFile());
                run.contains("1 target(s) locked; UILevel '2': no UI to ask");
                assertEquals(Optional.of(v1()), wine.system32Version(DLL), "v1 stays until the reboot");
                replacementPending(wine);
            }
        });
        report("1 locked, /qn", start, "exit=3010, the locker (pid " + pid[0] + ", " + wintestImage() + ", application) logged and in INUSE_LOCKERS");
    }

    @Test
    void aServiceIsNamedByItsShortAndDisplayName() throws Exception {
        long start = System.nanoTime();
        String scenario = "detect-2-service-qn";
        String[] seen = new String[2];
        bed.scenario(scenario, wine -> {
            installV1(wine, scenario);
            try (ServiceLocker service = startService(wine, scenario)) {
                assertEquals("open failed error=32", wine.wintest("open-exclusive", SYSTEM32_DLL).strip(),
                        "the service holds the DLL (ERROR_SHARING_VIOLATION)");
                ActionRun run = ActionRun.install(bed, wine, scenario, bed.v2, bed.javaHome);
                assertEquals(3010, run.exit(), "Wine replaces the held file at the next reboot: " + run.logFile());
                run.contains("inuse: InuseDetect: [System]\\MAPI32.DLL (C:\\windows\\system32\\MAPI32.DLL): locked by Service: "
                        + SERVICE_DISPLAY + " (" + SERVICE + ")");
                run.contains(heldByService(service));
                assertEquals(serviceEntry(service), lockersProperty(run.log()), "INUSE_LOCKERS in " + run.logFile());
                run.contains("1 target(s) locked; UILevel '2': no UI to ask");
                assertEquals(Optional.of(v1()), wine.system32Version(DLL), "v1 stays until the reboot");
                replacementPending(wine);
                seen[0] = heldByService(service);
                seen[1] = serviceEntry(service);
            }
        });
        report("2 a service holds it, /qn", start, "exit=3010, '" + seen[0] + "', INUSE_LOCKERS = " + seen[1] + ", replacement pending");
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

    /** What {@code wintest ui} did: its output, the log, and the exit code it printed. */
    private record UiRun(String out, String log, Path logFile, int exit) {
    }

    /**
     * {@code wintest ui} answering {@code answer}; with lockers to stop, it answers only once they
     * are stopped (it waits for a go file, created after they closed): Retry then finds the file free.
     */
    private static UiRun ui(WinePrefix wine, String scenario, String answer, AutoCloseable... stopBeforeAnswering) throws Exception {
        Path log = bed.logFor(scenario, "ui-" + answer);
        Path outFile = log.resolveSibling("ui-" + answer + ".out");
        Path go = log.resolveSibling("ui-" + answer + ".go");
        Files.deleteIfExists(go);
        String wait = stopBeforeAnswering.length == 0 ? "0" : WinePrefix.windowsPath(go);
        ProcessBuilder builder = wine.processBuilder(List.of("wine", bed.wintest.toString(), "ui", WinePrefix.windowsPath(bed.v2.msi()), answer,
                wait, WinePrefix.windowsPath(log), bed.javaHome)).redirectOutput(outFile.toFile());
        builder.environment().put("WINTEST_UILEVEL", UI_LEVEL);
        Process p = builder.start();
        if (stopBeforeAnswering.length > 0) {
            try {
                for (int i = 0; i < 1200 && !Files.readString(outFile).contains("FILESINUSE record") && p.isAlive(); i++) {
                    Thread.sleep(100);
                }
                assertTrue(Files.readString(outFile).contains("FILESINUSE record"), "FILESINUSE was sent: " + Files.readString(outFile));
                for (AutoCloseable locker : stopBeforeAnswering) {
                    locker.close();
                }
            } finally {
                Files.writeString(go, "go");   // the front end answers now, or the scenario ends failed without waiting for it
            }
        }
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "wintest ui ended");
        String out = Files.readString(outFile).replace("\r", "");
        Matcher m = Pattern.compile("EXITCODE=([0-9]+)").matcher(out);
        assertTrue(m.find(), "wintest ui printed an exit code: " + out);
        assertTrue(WinePrefix.readLog(log).contains("Property(S): UILevel = " + UI_LEVEL), "the install ran at UILevel " + UI_LEVEL + ": " + log);
        return new UiRun(out, WinePrefix.readLog(log), log, Integer.parseInt(m.group(1)));
    }

    /**
     * The FILESINUSE record the front end got: field 0 empty, then ("wintest.exe", "wintest.exe (pid N)")
     * for the windowless process and ("Service: display (short)", "Service: display (short), pid N") for
     * the service, in pid order (Detect.filesInUseRecord).
     */
    private static void recordListsBoth(UiRun run, long processPid, ServiceLocker service) {
        String serviceName = "Service: " + SERVICE_DISPLAY + " (" + SERVICE + ")";
        Map<Long, String[]> rows = new TreeMap<>(Map.of(processPid, new String[] {"wintest.exe", "wintest.exe (pid " + processPid + ")"},
                service.pid, new String[] {serviceName, serviceName + ", pid " + service.pid}));
        StringBuilder expected = new StringBuilder("FILESINUSE record, " + 2 * rows.size() + " fields: [0]=");
        int field = 1;
        for (String[] row : rows.values()) {
            expected.append(" [").append(field++).append("]=").append(row[0]).append(" [").append(field++).append("]=").append(row[1]);
        }
        expected.append(" -> answering ");
        assertTrue(run.out().contains(expected), "the record lists the process and the service: expected " + expected + " in " + run.out());
    }

    @Test
    void filesInUseThroughTheExternalUi() throws Exception {
        // wintest ui runs the install at WINTEST_UILEVEL=5 (full UI): the action asks only at UILevel 4 or 5;
        // a process and a service hold the file at the same time, and the record lists both
        long start = System.nanoTime();
        String cancel = "detect-4-ui-cancel";
        bed.scenario(cancel, wine -> {
            installV1(wine, cancel);
            try (Locker locker = Locker.start(wine, bed.wintest, SYSTEM32_DLL, lockerDir(cancel));
                    ServiceLocker service = startService(wine, cancel)) {
                UiRun run = ui(wine, cancel, "2");
                recordListsBoth(run, pid(locker), service);
                heldByBoth(run.log(), run.logFile(), pid(locker), service);
                assertEquals(1602, run.exit(), run.out());
                assertTrue(run.log().contains("inuse: InuseDetect: cancelled: Exit chosen in FilesInUse"), run.logFile().toString());
                assertTrue(run.log().contains("inuse broker: InuseDetect: engine read properties [REMOVE,INUSE_WHEN_LOCKED,INUSE_STRATEGY,INUSE_FORCE_EQUAL,UILevel,MsiRestartManagerSessionKey]; result 1602"), run.logFile().toString());
                assertEquals(Optional.of(v1()), wine.system32Version(DLL), "v1 stays");
                assertTrue(wine.isRegistered(bed.v1.productCode()), "v1 stays registered");
                assertEquals(Optional.empty(), wine.pendingFileRenameOperations());
            }
        });
        String ignore = "detect-4-ui-ignore";
        bed.scenario(ignore, wine -> {
            installV1(wine, ignore);
            try (Locker locker = Locker.start(wine, bed.wintest, SYSTEM32_DLL, lockerDir(ignore));
                    ServiceLocker service = startService(wine, ignore)) {
                UiRun run = ui(wine, ignore, "5");
                recordListsBoth(run, pid(locker), service);
                heldByBoth(run.log(), run.logFile(), pid(locker), service);
                assertEquals(3010, run.exit(), run.out());
                assertTrue(run.log().contains("inuse: InuseDetect: Ignore chosen in FilesInUse: continuing"), run.logFile().toString());
                assertEquals(Optional.of(v1()), wine.system32Version(DLL), "v1 stays until the reboot");
                replacementPending(wine);
            }
        });
        String retry = "detect-4-ui-retry";
        bed.scenario(retry, wine -> {
            installV1(wine, retry);
            try (Locker locker = Locker.start(wine, bed.wintest, SYSTEM32_DLL, lockerDir(retry));
                    ServiceLocker service = startService(wine, retry)) {
                // both stop (the service through the SCM) while the front end holds its answer back
                UiRun run = ui(wine, retry, "4", service, locker);
                recordListsBoth(run, pid(locker), service);
                assertEquals(1, run.out().split("FILESINUSE record", -1).length - 1, "asked once: " + run.out());
                assertEquals(0, run.exit(), run.out());
                assertTrue(run.log().contains("inuse: InuseDetect: Retry chosen in FilesInUse: detecting again"), run.logFile().toString());
                assertTrue(run.log().contains("inuse: InuseDetect: no target is locked any more: continuing"), run.logFile().toString());
                assertEquals("", lockersProperty(run.log()));
                assertEquals(Optional.of(v2()), wine.system32Version(DLL));
                assertEquals(Optional.empty(), wine.pendingFileRenameOperations());
            }
        });
        report("4 FilesInUse through the external UI, a process and a service", start, "the record lists both; Cancel: 1602, v1 stays, "
                + "pending=none; Ignore: 3010, replacement pending; Retry with both stopped before the answer: 0, " + DLL + "=" + v2());
    }
}
