package io.inuse.packaging.wine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inuse.packaging.PackageBuilder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Scenario (5): the package's own dialogs (wix/ui) in a full-UI install ({@code msiexec /i} without
 * /q) on a virtual display of the test's own (Xvfb, {@link XDisplay}), answered with xdotool by key
 * or by a click where the Control table puts the button. v1 is installed silently first; v2 then
 * goes through the dialogs. Each answer is checked by what follows it: the next dialog's window,
 * msiexec still waiting while an exit dialog is open, the exit code after Finish, the DLL in
 * System32 by its version, and the dialogs in the MSI log.
 *
 * <p>What Wine 8 does, measured: it shows the dialogs of the UI sequences and the ones that
 * ControlEvents spawn, and logs a sequenced dialog as an action: "Action start hh:mm:ss: ExitDlg."
 * then, when it ends, "Action ended hh:mm:ss: ExitDlg. Return value N." with N 0 after EndDialog
 * Return (preceded by "DEBUG: Error 2726:  Action not found: ExitDlg": Wine then looks for an action
 * of that name) and 2 after EndDialog Exit; the modeless ProgressDlg ends at once with 1. A spawned
 * dialog (CancelDlg) is not logged. So the log shows each answer. Wine never raises FilesInUse or
 * MsiRMFilesInUse: its internal UI answers a custom action's FILESINUSE message with 0 and shows
 * nothing, and its Restart Manager is a stub (WINE-TESTBED.md); nor does it ask to restart after a
 * 3010 install. The locked-file scenario asserts that; how those dialogs and the restart prompt
 * render and answer on Windows stays unverified.
 */
class FullUiIT {
    private static final String DLL = "MAPI32.DLL";
    private static final Duration APPEAR = Duration.ofSeconds(90);
    private static WineTestBed bed;
    private static XDisplay display;
    private static PackageDialogs dialogs;

    @BeforeAll
    static void prepare() throws Exception {
        bed = WineTestBed.get();
        display = XDisplay.start(bed.work.resolve("xvfb"));
        dialogs = PackageDialogs.read(bed.v2.msi());
    }

    @AfterAll
    static void stopDisplay() throws Exception {
        if (display != null) {
            display.close();
        }
    }

    /** An install with full UI, running: its msiexec (through {@code wintest run}, for the full exit code) and its log. */
    private record UiInstall(Process process, Path out, Path log) {
        static UiInstall start(WinePrefix wine, String scenario, PackageBuilder.Result pkg, String... properties) throws Exception {
            Path log = bed.logFor(scenario, "install-full-ui");
            Path out = log.resolveSibling("install-full-ui.out");
            List<String> command = new ArrayList<>(List.of("wine", bed.wintest.toString(), "run", "msiexec", "/i",
                    WinePrefix.windowsPath(pkg.msi()), "/l*v", WinePrefix.windowsPath(log)));
            command.addAll(List.of(properties));
            return new UiInstall(wine.processBuilder(command).redirectOutput(out.toFile()).start(), out, log);
        }

        boolean waiting() throws java.io.IOException {
            return process.isAlive() && !Files.readString(out).contains("EXITCODE=");
        }

        int exit() throws Exception {
            assertTrue(process.waitFor(3, TimeUnit.MINUTES), "msiexec ended within 3 minutes of the last answer");
            Matcher m = Pattern.compile("EXITCODE=(-?[0-9]+)").matcher(Files.readString(out));
            assertTrue(m.find(), "wintest run printed msiexec's exit code: " + Files.readString(out));
            return Integer.parseInt(m.group(1));
        }

        String logText() throws Exception {
            return WinePrefix.readLog(log);
        }
    }

    private static String title(String dialog) {
        return dialogs.title(dialog, bed.v2.identity().productName());
    }

    /**
     * Waits for the dialog's window, by its title; fails naming the dialog when it does not appear, when
     * msiexec ends first, or when a window of one of the {@code unexpected} dialogs shows up meanwhile.
     */
    private static long await(UiInstall run, String dialog, String... unexpected) throws Exception {
        String regex = XDisplay.exactly(title(dialog));
        long[] window = new long[1];
        List<String> intruders = new ArrayList<>();
        boolean seen = XDisplay.within(APPEAR, () -> {
            for (String other : unexpected) {
                if (!display.windows(XDisplay.exactly(title(other))).isEmpty()) {
                    intruders.add(other);
                }
            }
            List<Long> found = display.windows(regex);
            window[0] = found.isEmpty() ? 0 : found.get(0);
            return window[0] != 0 || !intruders.isEmpty() || !run.waiting();
        });
        assertEquals(List.of(), intruders, "while waiting for " + dialog + ", these dialogs appeared; log " + run.log());
        assertTrue(seen && window[0] != 0, dialog + " (a window titled '" + title(dialog) + "') did not appear within " + APPEAR.toSeconds()
                + " s" + (run.waiting() ? "" : "; msiexec ended first: " + Files.readString(run.out())) + "; log " + run.log());
        return window[0];
    }

    /** After an answer, the dialog's window goes away. */
    private static void gone(long window, String dialog) throws Exception {
        String regex = XDisplay.exactly(title(dialog));
        assertTrue(XDisplay.within(APPEAR, () -> !display.windows(regex).contains(window)), dialog + " stayed open after the answer");
    }

    /** Clicks a control where the Control table puts it, scaled from installer units to the window's pixels. */
    private static void click(long window, String dialog, String control) throws Exception {
        XDisplay.Geometry g = display.geometry(window);
        PackageDialogs.Box size = dialogs.size(dialog);
        PackageDialogs.Box box = dialogs.control(dialog, control);
        double sx = g.width() / (double) size.width();
        double sy = g.height() / (double) size.height();
        // without a window manager the X window is the client area: one scale for both directions
        assertTrue(Math.abs(sx - sy) < 0.05 * sx, dialog + " window " + g + " is not its client area of " + size);
        display.click(g.x() + (int) Math.round((box.x() + box.width() / 2.0) * sx), g.y() + (int) Math.round((box.y() + box.height() / 2.0) * sy));
    }

    /** An exit dialog: msiexec waits for Finish (the exit code comes only after the answer). */
    private static void stillWaiting(UiInstall run, String dialog) throws Exception {
        Thread.sleep(1000);
        assertTrue(run.waiting(), "msiexec waits while " + dialog + " is open: " + Files.readString(run.out()));
    }

    /** The dialogs (and ExecuteAction) as the log ends them, in order: "ExitDlg 0" for "Action ended hh:mm:ss: ExitDlg. Return value 0.". */
    private static List<String> dialogsEnded(String log) {
        Matcher m = Pattern.compile("Action ended [0-9:]+: ([A-Za-z]+Dlg|ExecuteAction)\\. Return value (-?[0-9]+)\\.").matcher(log);
        List<String> ended = new ArrayList<>();
        while (m.find()) {
            ended.add(m.group(1) + " " + m.group(2));
        }
        return ended;
    }

    private static void installV1(WinePrefix wine, String scenario) throws Exception {
        ActionRun run = ActionRun.install(bed, wine, scenario + "-v1", bed.v1, bed.javaHome);
        assertEquals(0, run.exit(), "v1 installs silently: " + run.logFile());
        assertEquals(Optional.of(bed.v1.payload().version()), wine.system32Version(DLL));
    }

    private static void v1Stays(WinePrefix wine) throws Exception {
        assertEquals(Optional.of(bed.v1.payload().version()), wine.system32Version(DLL), "v1 stays in System32");
        assertTrue(wine.isRegistered(bed.v1.productCode()), "v1 stays registered");
        assertFalse(wine.isRegistered(bed.v2.productCode()), "v2 is not registered");
        assertEquals(Optional.empty(), wine.pendingFileRenameOperations(), "nothing pending");
    }

    private static void report(String name, long start, String outcome) {
        System.out.printf("FULL UI SCENARIO %s: PASS %s (%.1f s)%n", name, outcome, (System.nanoTime() - start) / 1e9);
    }

    @Test
    void installThroughWelcomeProgressAndExit() throws Exception {
        long start = System.nanoTime();
        String scenario = "ui-1-install";
        bed.scenario(scenario, wine -> {
            wine.setEnvironment("DISPLAY", display.name());
            installV1(wine, scenario);
            UiInstall run = UiInstall.start(wine, scenario, bed.v2, bed.javaHome);
            long welcome = await(run, "WelcomeDlg");
            display.key(welcome, "Return");          // Control_Default: Install, EndDialog Return
            gone(welcome, "WelcomeDlg");
            await(run, "ProgressDlg");                // modeless, while the execute sequence runs
            long exit = await(run, "ExitDlg");
            stillWaiting(run, "ExitDlg");
            display.key(exit, "Return");              // Finish, EndDialog Return
            assertEquals(0, run.exit());
            assertEquals(Optional.of(bed.v2.payload().version()), wine.system32Version(DLL), "v2 in System32");
            assertTrue(wine.isRegistered(bed.v2.productCode()));
            assertFalse(wine.isRegistered(bed.v1.productCode()), "the upgrade removed v1");
            String log = run.logText();
            assertTrue(log.contains("Property(S): UILevel = 5"), "full UI: " + run.log());
            assertEquals(List.of("WelcomeDlg 0", "ProgressDlg 1", "ExecuteAction 1", "ExitDlg 0"), dialogsEnded(log), "the dialogs in " + run.log());
            assertTrue(log.contains("DEBUG: Error 2726:  Action not found: ExitDlg"), "Wine's line after EndDialog Return: " + run.log());
            assertTrue(log.contains("inuse: InuseDetect: [System]\\MAPI32.DLL (C:\\windows\\system32\\MAPI32.DLL): free"), run.log().toString());
        });
        report("1 install", start, "WelcomeDlg (Return), ProgressDlg seen, ExitDlg (Return): exit=0, " + DLL + "=" + bed.v2.payload().version());
    }

    @Test
    void cancelFromTheWelcomeDialog() throws Exception {
        long start = System.nanoTime();
        String scenario = "ui-2-cancel";
        bed.scenario(scenario, wine -> {
            wine.setEnvironment("DISPLAY", display.name());
            installV1(wine, scenario);
            UiInstall run = UiInstall.start(wine, scenario, bed.v2, bed.javaHome);
            long welcome = await(run, "WelcomeDlg");
            display.key(welcome, "Escape");           // Control_Cancel: Cancel, SpawnDialog CancelDlg
            long cancel = await(run, "CancelDlg");
            click(cancel, "CancelDlg", "Yes");        // EndDialog Exit
            gone(cancel, "CancelDlg");
            long userExit = await(run, "UserExitDlg");
            stillWaiting(run, "UserExitDlg");
            click(userExit, "UserExitDlg", "Finish");
            assertEquals(1602, run.exit());
            v1Stays(wine);
            String log = run.logText();
            assertEquals(List.of("WelcomeDlg 2", "UserExitDlg 2"), dialogsEnded(log), "cancelled before ExecuteAction: " + run.log());
            assertFalse(log.contains("inuse broker:"), "no custom action ran: " + run.log());
        });
        report("2 cancel", start, "WelcomeDlg (Escape), CancelDlg (click Yes), UserExitDlg (click Finish): exit=1602, v1 stays");
    }

    @Test
    void anErrorEndsInTheFatalErrorDialog() throws Exception {
        long start = System.nanoTime();
        String scenario = "ui-3-fatal";
        bed.scenario(scenario, wine -> {
            wine.setEnvironment("DISPLAY", display.name());
            installV1(wine, scenario);
            // a runtime folder that is not one: the actions cannot run (the runtime v1 was installed with, which the
            // package keeps, is not used: one given on the command line wins)
            UiInstall run = UiInstall.start(wine, scenario, bed.v2, "INUSE_JAVA_HOME=C:\\no-java-here");
            long welcome = await(run, "WelcomeDlg");
            click(welcome, "WelcomeDlg", "Install");
            long fatal = await(run, "FatalErrorDlg");
            stillWaiting(run, "FatalErrorDlg");
            display.key(fatal, "Return");             // Finish, EndDialog Exit
            assertEquals(1603, run.exit());
            v1Stays(wine);
            String log = run.logText();
            assertTrue(log.contains("inuse broker: INUSE_JAVA_HOME=C:\\no-java-here is not usable"), run.log().toString());
            assertEquals(List.of("WelcomeDlg 0", "ProgressDlg 1", "ExecuteAction 0", "FatalErrorDlg 2"), dialogsEnded(log), "the dialogs in " + run.log());
        });
        report("3 fatal error", start, "WelcomeDlg (click Install), no usable runtime, FatalErrorDlg (Return): exit=1603, v1 stays");
    }

    @Test
    void aLockedFileRaisesNoFilesInUseWindowUnderWine() throws Exception {
        long start = System.nanoTime();
        String scenario = "ui-4-locked";
        bed.scenario(scenario, wine -> {
            wine.setEnvironment("DISPLAY", display.name());
            installV1(wine, scenario);
            try (Locker locker = Locker.start(wine, bed.wintest, "C:\\windows\\system32\\" + DLL, bed.logFor(scenario, "locker").getParent())) {
                UiInstall run = UiInstall.start(wine, scenario, bed.v2, bed.javaHome);
                display.key(await(run, "WelcomeDlg"), "Return");
                // were Wine to show FilesInUse (or MsiRMFilesInUse), the install would wait on it: watch for both
                long exit = await(run, "ExitDlg", "FilesInUse", "MsiRMFilesInUse");
                stillWaiting(run, "ExitDlg");
                display.key(exit, "Return");
                assertEquals(3010, run.exit(), "the held file is replaced at the next reboot");
                String log = run.logText();
                // FILESINUSE was sent at UILevel 5; Wine's internal UI answered 0 without a window
                assertTrue(log.contains("inuse: InuseDetect: nobody answered FilesInUse (answer 0: no UI handled the message): continuing as Ignore"),
                        run.log().toString());
                assertEquals(List.of("WelcomeDlg 0", "ProgressDlg 1", "ExecuteAction 1", "ExitDlg 0"), dialogsEnded(log), "the dialogs in " + run.log());
                assertEquals(Optional.of(bed.v1.payload().version()), wine.system32Version(DLL), "v1 until the reboot");
                assertTrue(wine.pendingFileRenameOperations().isPresent(), "the replacement is pending");
            }
        });
        report("4 locked", start, "no FilesInUse window (Wine answers FILESINUSE with 0), ExitDlg (Return): exit=3010, replacement pending");
    }
}
