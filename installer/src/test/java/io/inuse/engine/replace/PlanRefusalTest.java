package io.inuse.engine.replace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inuse.engine.detect.Detection.Verdict;
import io.inuse.engine.detect.Locker;
import io.inuse.engine.detect.Target;
import io.inuse.engine.machine.KnownFolder;
import io.inuse.engine.replace.Plan.Decision;
import io.inuse.engine.replace.Plan.Step;
import io.inuse.pe.FileVersion;
import io.inuse.pe.TestImages;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The refusals: each ends the install before anything changes, with one line that says what to do. */
class PlanRefusalTest {
    private static final String WHERE = "[System]\\MAPI32.DLL (C:\\Windows\\System32\\MAPI32.DLL): ";
    private static final String STOPS = ". The install stops before anything changes";

    /** An older file in place and free: what the plan would replace now, were it not for the one fact a test changes. */
    private static Facts replaceable() {
        return new Facts().existing(Facts.version("1.0.0.0"), Verdict.FREE);
    }

    private static void assertRefused(Decision expected, String line, Facts facts) {
        Plan plan = Plan.decide(List.of(facts.build()), true);
        Step step = plan.steps().get(0);
        assertEquals(expected, step.decision(), step::logLine);
        assertTrue(plan.refused());
        assertFalse(step.backUp());
        assertFalse(plan.rebootNeeded());
        assertEquals(List.of(line), plan.refusalLines());
    }

    @Test
    void aProtectedFileIsRefusedWhateverElseHolds() {
        String line = WHERE + "refused, protected by Windows Resource Protection: Windows Resource Protection protects it"
                + " (SfcIsFileProtected): only Windows servicing may replace it, and Windows Installer would skip it with a warning"
                + " and report success. To use the package's DLL, put it in the folder of the program that loads it (Windows"
                + " searches there before System32), or ask that program's vendor" + STOPS;
        assertRefused(Decision.PROTECTED, line, replaceable().wrp());
        assertRefused(Decision.PROTECTED, line, replaceable().wrp().staged(FileState.absent()));
    }

    @Test
    void aNetworkPathIsRefused() {
        String drive = WHERE + "refused, on a network drive or share: it is on a network drive: a replacement at the next reboot"
                + " cannot reach it (MoveFileEx accepts the request, then the move at boot fails). Run the install on the machine"
                + " whose disk holds the file" + STOPS;
        assertRefused(Decision.REMOTE, drive, replaceable().remote());
        for (String unc : List.of("\\\\fs01\\share\\MAPI32.DLL", "\\\\?\\UNC\\fs01\\share\\MAPI32.DLL",
                "\\\\?\\unc\\fs01\\share\\MAPI32.DLL", "\\??\\UNC\\fs01\\share\\MAPI32.DLL", "//fs01/share/MAPI32.DLL")) {
            Step step = replaceable().path(unc).decide(false);
            assertEquals(Decision.REMOTE, step.decision(), unc);
            assertTrue(step.reason().startsWith("it is on a network share (" + unc + " is a UNC path): "), step.reason());
        }
        for (String local : List.of("\\\\?\\C:\\Windows\\System32\\MAPI32.DLL", "\\\\.\\C:\\Windows\\System32\\MAPI32.DLL",
                "\\??\\C:\\Windows\\System32\\MAPI32.DLL", "C:\\Windows\\System32\\MAPI32.DLL")) {
            assertEquals(Decision.REPLACE_NOW, replaceable().path(local).decide(false).decision(), local);
        }
    }

    @Test
    void aMissingStagedFileIsRefused() {
        assertRefused(Decision.STAGED_MISSING, WHERE + "refused, the new file is missing: the package's new file is missing from"
                + " its staging folder (" + Facts.STAGED + "): Windows Installer did not put it there, or something removed it."
                + " Repair the product (msiexec /fa with the package) or reinstall it" + STOPS, replaceable().staged(FileState.absent()));
    }

    @Test
    void anUnreadableStagedFileIsRefused() {
        assertRefused(Decision.STAGED_UNREADABLE, WHERE + "refused, the new file cannot be read: the package's new file "
                + Facts.STAGED + " cannot be read (ReadFile returned error 5). Check that Administrators and SYSTEM can read the"
                + " staging folder, then repair the product (msiexec /fa with the package)" + STOPS,
                replaceable().staged(FileState.unreadable("ReadFile returned error 5")));
    }

    @Test
    void aStagedFileThatIsNoPeImageIsRefusedWithThePeReadersMessage() {
        FileState junk = FileState.read(Facts.STAGED, "<html>404</html>".getBytes(StandardCharsets.US_ASCII));
        assertEquals(FileState.Kind.NOT_PE, junk.kind());
        assertEquals(Facts.STAGED + ": at offset 0x0: not a PE file: no 'MZ' signature (is this really a DLL?)", junk.problem());
        assertRefused(Decision.STAGED_NOT_PE, WHERE + "refused, the new file is not a PE image: the package's new file "
                + Facts.STAGED + " is not a PE image (" + junk.problem() + "): the staging folder holds something other than the"
                + " package's DLL. Reinstall the product from an intact copy of the package" + STOPS, replaceable().staged(junk));
    }

    @Test
    void anUnversionedStagedFileIsRefused() {
        TestImages image = new TestImages();
        image.withResources = false;
        FileState unversioned = FileState.read(Facts.STAGED, image.build());
        assertEquals(FileState.Kind.PE, unversioned.kind());
        assertNull(unversioned.version());
        assertRefused(Decision.STAGED_UNVERSIONED, WHERE + "refused, the new file has no version: the package's new file "
                + Facts.STAGED + " has no version resource, and inuse compares versions: it never puts an unversioned file in"
                + " place. Build the package around a DLL with a VERSIONINFO resource (the build refuses one without: was the"
                + " staging folder changed?)" + STOPS, replaceable().staged(unversioned));
    }

    @Test
    void aFileInPlaceThatCannotBeReadIsRefused() {
        Locker holder = new Locker(77, "C:\\Program Files\\UPS\\upsmon.exe", Locker.Kind.APPLICATION, List.of());
        assertRefused(Decision.TARGET_UNREADABLE, WHERE + "refused, the file in place cannot be read: the file in place cannot be"
                + " read (CreateFileW returned error 32), so its version is unknown, and inuse replaces no file whose version it"
                + " does not know (it could be newer). Let Administrators and SYSTEM read it or stop what holds it (upsmon.exe"
                + " (pid 77)), and run the install again" + STOPS,
                new Facts().existing(FileState.unreadable("CreateFileW returned error 32"), Verdict.LOCKED).lockers(holder));
        Step denied = new Facts().existing(FileState.unreadable("CreateFileW returned error 5"), Verdict.UNKNOWN).decide(false);
        assertTrue(denied.reason().endsWith("Let Administrators and SYSTEM read it, and run the install again"), denied.reason());
    }

    @Test
    void aFileInPlaceThatIsNoPeImageIsRefusedAndTheLineSaysWhatToDo() {
        FileState text = FileState.read(Facts.PATH, "MZ".getBytes(StandardCharsets.US_ASCII));
        assertRefused(Decision.TARGET_NOT_PE, WHERE + "refused, the file in place is not a PE image: a file is there, but it is"
                + " not a PE image (" + text.problem() + "), and inuse overwrites no file it cannot compare. Find out what it is;"
                + " if it is a damaged copy of MAPI32.DLL, rename it (for example to MAPI32.DLL.damaged) and run the install again"
                + STOPS, new Facts().existing(text, Verdict.FREE));
    }

    @Test
    void aFileThatChangedBetweenTheDetectionAndTheReadIsRefused() {
        assertRefused(Decision.TARGET_CHANGED, WHERE + "refused, the file changed while it was examined: the detection found a"
                + " file there, then reading it found nothing. Run the install again" + STOPS,
                new Facts().existing(FileState.absent(), Verdict.LOCKED));
        assertRefused(Decision.TARGET_CHANGED, WHERE + "refused, the file changed while it was examined: the detection found"
                + " nothing there, then reading it found a file (1.0.0.0). Run the install again" + STOPS,
                new Facts().existing(Facts.version("1.0.0.0"), Verdict.ABSENT));
    }

    @Test
    void oneRefusalStopsTheWholePlanAndOnlyItsLineIsARefusalLine() {
        Facts locked = new Facts().existing(Facts.version("1.0.0.0"), Verdict.LOCKED);
        Facts wrp = replaceable().wrp().path("C:\\Windows\\System32\\MAPISVC.DLL");
        wrp.target = new Target(KnownFolder.System, "", "MAPISVC.DLL");
        Plan plan = Plan.decide(List.of(locked.build(), wrp.build()), false);
        assertTrue(plan.refused());
        assertFalse(plan.rebootNeeded(), "nothing is queued when the install stops");
        assertEquals(1, plan.refusalLines().size());
        assertTrue(plan.refusalLines().get(0).startsWith("[System]\\MAPISVC.DLL (C:\\Windows\\System32\\MAPISVC.DLL): refused,"
                + " protected by Windows Resource Protection: "));
        assertEquals(Decision.REPLACE_AT_REBOOT, plan.steps().get(0).decision());
    }

    @Test
    void factsThatContradictThemselvesAreAProgrammingError() {
        IllegalArgumentException ours = assertThrows(IllegalArgumentException.class, () -> new Facts().ours().build());
        assertEquals("the facts of [System]\\MAPI32.DLL say the file in place is this product's own, but"
                + " C:\\Windows\\System32\\MAPI32.DLL is absent", ours.getMessage());
        IllegalArgumentException noPath = assertThrows(IllegalArgumentException.class, () -> new Facts().path("").build());
        assertEquals("the facts of [System]\\MAPI32.DLL need its path and the staged file's path", noPath.getMessage());
    }

    @Test
    void fileStatesHoldWhatTheirKindNeeds() {
        FileState image = FileState.read(Facts.STAGED, new TestImages().build());
        assertEquals(new FileVersion(1, 2, 3, 4), image.version());
        assertEquals("1.2.3.4", image.describe());
        assertEquals("absent", FileState.absent().describe());
        assertFalse(FileState.absent().exists());
        assertEquals("unreadable (error 5)", FileState.unreadable("error 5").describe());
        assertEquals("not a PE image (no MZ)", FileState.notPe("no MZ").describe());
        assertNull(FileState.notPe("no MZ").version());
        assertEquals("a file state UNREADABLE needs the reason",
                assertThrows(IllegalArgumentException.class, () -> FileState.unreadable("")).getMessage());
        assertEquals("a file state ABSENT has no reason, got 'x'",
                assertThrows(IllegalArgumentException.class, () -> new FileState(FileState.Kind.ABSENT, null, "x")).getMessage());
        assertEquals("a PE file state needs the PE reader's answer",
                assertThrows(IllegalArgumentException.class, () -> FileState.pe(null)).getMessage());
    }
}
