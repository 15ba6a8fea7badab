package io.inuse.packaging.wine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inuse.packaging.wine.engines.MachineRequests;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The machine requests of the broker protocol (KNOWN_FOLDER, FILE_IDENTITY, OPEN_EXCLUSIVE,
 * PROCESS_MODULES, SERVICES) inside Wine's msiexec, asked by a test engine through BrokerMachine
 * ({@link MachineRequests}), which logs every answer: once with nobody holding MAPI32.DLL, once
 * while a locker process has it loaded. Both installs then run the real probes and succeed.
 * WINDOW_TITLES and the Restart Manager requests too (never RM_JOIN: Wine 8's RmJoinSession aborts
 * the calling process).
 */
class MachineRequestsIT {
    private static final String DLL = "C:\\windows\\system32\\MAPI32.DLL";
    private static final String LINE = "inuse: InuseProbe: machine ";
    private static WineTestBed bed;

    @BeforeAll
    static void prepare() throws Exception {
        bed = WineTestBed.get();
    }

    @Test
    void everyMachineRequestAnswersAsWindowsSays() throws Exception {
        long start = System.nanoTime();
        Path engine = bed.runtimes.runningTestEngine("machine-requests", MachineRequests.class);
        String scenario = "machine-requests";
        bed.scenario(scenario, wine -> {
            String shortPath = shortPathOfProgramFiles(wine);

            // 1. nobody holds MAPI32.DLL (Wine's own, before InstallFiles puts ours in its place)
            ActionRun free = ActionRun.install(bed, wine, scenario, bed.probes, ActionRun.javaHome(engine), "INUSE_TEST_SHORT=" + shortPath);
            assertEquals(0, free.exit());
            free.bothActionsRan(bed, "INUSE_JAVA_HOME");
            ActionRun.installedV1(bed, wine);
            endsALine(free, LINE + "known folder System = C:\\windows\\system32");
            endsALine(free, LINE + "known folder Windows = C:\\windows");
            endsALine(free, LINE + "known folder ProgramFiles = C:\\Program Files");
            free.contains(LINE + "known folder Desktop: refused: 87 protocol");
            free.contains(LINE + "identity spellings of " + DLL + " equal: true");
            free.contains(LINE + "identity \\\\?\\" + DLL + " = C:\\windows\\system32\\");
            free.contains(LINE + "identity \\??\\" + DLL + " = C:\\windows\\system32\\");
            free.contains(LINE + "identity short " + shortPath + " = C:\\Program Files\\Common Files\\System volume=");
            free.contains("; same file: true");
            free.contains(LINE + "identity C:\\windows\\system32\\no-such.dll = absent");
            free.contains(LINE + "identity C:\\no-such-folder\\x.dll = absent");
            free.contains(LINE + "identity of an empty path: refused: 87 protocol");
            free.contains(LINE + "open-exclusive C:\\windows\\win.ini = OpenProbe[result=FREE, win32Error=0]");
            free.contains(LINE + "open-exclusive " + DLL + " = OpenProbe[result=FREE, win32Error=0]");
            free.contains(LINE + "open-exclusive C:\\windows\\system32\\no-such.dll = OpenProbe[result=NOT_FOUND, win32Error=2]");
            free.contains(LINE + "open-exclusive C:\\no-such-folder\\x.dll = OpenProbe[result=NOT_FOUND, win32Error=3]");
            free.contains(LINE + "open-exclusive C:\\windows = OpenProbe[result=NOT_A_FILE, win32Error=0]");
            free.contains(LINE + "processes of no names: refused: 87 protocol");
            free.contains(LINE + "processes of a path: refused: 87 protocol");
            free.contains(LINE + "processes of an empty name: refused: 87 protocol");
            free.contains(LINE + "services with an argument: refused: 87 protocol");
            free.contains(LINE + "windows of no process = []");
            free.contains(LINE + "windows of 1025 pids: refused: 87 protocol");
            free.contains(LINE + "windows of a string: refused: 87 protocol");
            Matcher windows = Pattern.compile(Pattern.quote(LINE) + "windows of all ([0-9]+) processes = (.*)").matcher(free.log());
            assertTrue(windows.find(), "WINDOW_TITLES of every process in " + free.logFile());
            Matcher rmStart = Pattern.compile(Pattern.quote(LINE) + "rm start handle=([0-9]+) key=\\[(.*)]").matcher(free.log());
            assertTrue(rmStart.find(), "RM_START's handle and key in " + free.logFile());
            free.contains(LINE + "rm register " + DLL + ": ok");
            free.contains(LINE + "rm list = RmList[rebootReasons=0, processes=[]]");
            free.contains(LINE + "rm list of a handle not handed out: refused: 87 protocol");
            free.contains(LINE + "rm register of a handle not handed out: refused: 87 protocol");
            free.contains(LINE + "rm end of a handle not handed out: refused: 87 protocol");
            free.contains(LINE + "rm register of an empty path: refused: 87 protocol");
            free.contains(LINE + "rm start with an argument: refused: 87 protocol");
            free.contains(LINE + "rm end: ok");
            free.contains(LINE + "rm list after its end: refused: 87 protocol");
            free.contains("inuse: InuseProbeDeferred: machine deferred known folder System = C:\\windows\\system32; "
                    + "open-exclusive C:\\windows\\win.ini = OpenProbe[result=FREE, win32Error=0]");
            Matcher service = Pattern.compile(Pattern.quote(LINE) + "service (\\S+) \\(([^)]*)\\) pid=([1-9][0-9]*)").matcher(free.log());
            assertTrue(service.find(), "a running service with its process id in " + free.logFile());
            // Wine's Plug and Play service runs in its own plugplay.exe: the service's pid is that process
            Matcher plugPlay = Pattern.compile(Pattern.quote(LINE) + "service PlugPlay \\([^)]*\\) pid=([1-9][0-9]*)").matcher(free.log());
            assertTrue(plugPlay.find(), "the PlugPlay service with its process id in " + free.logFile());
            free.contains(LINE + "process " + plugPlay.group(1) + " image=C:\\windows\\system32\\plugplay.exe error=null modules=[]");
            String someService = "PlugPlay pid " + plugPlay.group(1) + " = plugplay.exe";
            int processes = count(free.log(), LINE + "process ");
            assertTrue(processes > 3, "the processes of the prefix are listed: " + processes);

            // 2. a locker process has our MAPI32.DLL (v1, just installed) loaded
            Path lockerDir = bed.logFor(scenario, "locker").getParent();
            try (Locker locker = Locker.start(wine, bed.wintest, DLL, lockerDir)) {
                Matcher loaded = Pattern.compile("loaded pid=([0-9]+) path=(.*) version=").matcher(locker.loadedLine);
                assertTrue(loaded.find(), locker.loadedLine);
                String pid = loaded.group(1);
                Path log = bed.logFor(scenario, "install-locked");
                int exit = wine.msiexecLogged("/i", bed.probes.msi(), log, ActionRun.javaHome(engine), "INUSE_TEST_LOCKER=" + pid);
                ActionRun held = new ActionRun(exit, WinePrefix.readLog(log), log, wine);
                assertEquals(0, held.exit());
                held.contains(LINE + "open-exclusive " + DLL + " = OpenProbe[result=SHARING_VIOLATION, win32Error=32]");
                held.contains(LINE + "open-exclusive \\??\\" + DLL + " = OpenProbe[result=SHARING_VIOLATION, win32Error=32]");
                held.contains(LINE + "open-exclusive C:\\windows\\win.ini = OpenProbe[result=FREE, win32Error=0]");
                // the broker ends a Restart Manager session the engine left open, and says so
                held.contains("the engine left Restart Manager session 3735928559 open: RmEndSession ended it");
                held.contains(LINE + "identity spellings of " + DLL + " equal: true");
                Matcher process = Pattern.compile(Pattern.quote(LINE + "process " + pid + " image=") + "(.*) error=(.*) modules=\\[(.*)]")
                        .matcher(held.log());
                assertTrue(process.find(), "the locker's process " + pid + " is listed in " + log);
                assertEquals(WinePrefix.windowsPath(bed.wintest).toLowerCase(), process.group(1).toLowerCase(), "its image path");
                assertEquals("null", process.group(2), "no error for the locker's process");
                assertTrue(process.group(3).equalsIgnoreCase(DLL), "its module: " + process.group(3));
                String modules = process.group(3);
                // wintest's locker has no window
                held.contains(LINE + "windows of the locker " + pid + " = []");
                // Wine's Restart Manager is a stub: no process uses the DLL the locker holds. This is why
                // the detector never trusts an empty Restart Manager answer.
                held.contains(LINE + "rm register " + DLL + ": ok");
                held.contains(LINE + "rm list = RmList[rebootReasons=0, processes=[]]");
                held.contains(LINE + "rm end: ok");
                report(start, "exit 0 twice; System=C:\\windows\\system32; 4 spellings and 8.3 " + shortPath + " equal identities; "
                        + "open-exclusive FREE, then 32 under the locker; locker pid " + pid + " with " + modules + "; "
                        + processes + " processes; service " + someService + "; windows of all " + windows.group(1) + " processes "
                        + windows.group(2) + "; RM_START handle " + rmStart.group(1) + " key [" + rmStart.group(2)
                        + "]; RM_GET_LIST 0 processes under the locker (Wine's stub)");
            }
        });
    }

    /**
     * An 8.3 spelling of C:\Program Files\Common Files\System as Wine's cmd gives it (%~s; Wine's
     * cmd leaves the last component long, so the folder below the two long names is asked for).
     */
    private static String shortPathOfProgramFiles(WinePrefix wine) throws Exception {
        Files.writeString(wine.root().resolve("drive_c/inuse-short.bat"),
                "@echo off\r\nfor %%I in (\"C:\\Program Files\\Common Files\\System\") do echo %%~sI\r\n");
        String out = wine.wine("cmd", "/c", "C:\\inuse-short.bat").strip();
        assertTrue(out.matches("C:(\\\\[A-Z0-9]{1,6}~[A-Z0-9]{1,3}){2}\\\\System"), "an 8.3 spelling of C:\\Program Files\\Common Files\\System: " + out);
        return out;
    }

    private static int count(String text, String what) {
        int n = 0;
        for (int i = text.indexOf(what); i >= 0; i = text.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    private static void report(long start, String outcome) {
        System.out.printf("MACHINE REQUESTS: PASS %s (%.1f s)%n", outcome, (System.nanoTime() - start) / 1e9);
    }

    /** A log line that ends with the text (a known folder's path is all of the line's end). */
    private static void endsALine(ActionRun run, String text) {
        assertTrue(run.log().lines().anyMatch(l -> l.stripTrailing().endsWith(text)), "the log " + run.logFile() + " should have a line ending with: " + text);
    }
}
