package io.inuse.engine.replace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inuse.engine.detect.Detection.Verdict;
import io.inuse.engine.detect.Locker;
import io.inuse.engine.detect.Target;
import io.inuse.engine.machine.KnownFolder;
import io.inuse.engine.machine.Service;
import io.inuse.engine.replace.Plan.Decision;
import io.inuse.engine.replace.Plan.Step;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The decisions of the plan when the files are sound: the versions, the verdicts, the backup rule. */
class PlanTest {
    private static final Locker UPSMON = new Locker(77, "C:\\Program Files\\UPS\\upsmon.exe", Locker.Kind.APPLICATION, List.of());
    private static final Locker SNMP = new Locker(912, "C:\\Windows\\System32\\svchost.exe", Locker.Kind.SERVICE,
            List.of(new Service("SNMP", "SNMP Service", 912)));

    private static FileState state(String name) {
        switch (name) {
            case "absent":
                return FileState.absent();
            case "unversioned":
                return Facts.unversioned();
            case "older":
                return Facts.version("1.0.0.0");
            case "equal":
                return Facts.version("1.1.0.0");
            case "newer":
                return Facts.version("1.2.0.0");
            default:
                throw new IllegalArgumentException(name);
        }
    }

    /**
     * Every file in place (none, unversioned, older, equal, newer than the package's 1.1.0.0) with
     * every verdict, forced or not; nothing is this product's own and no backup exists yet.
     * A file that the detection and the read disagree about (absent for one, there for the other)
     * is refused: it changed in between.
     */
    @ParameterizedTest(name = "{0} in place, {1}, forced {2}: {3}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
        "absent|      ABSENT|  false| INSTALL|           false| false| nothing is there: the package's 1.1.0.0 is put in place now",
        "absent|      FREE|    false| TARGET_CHANGED|    false| false| the detection found a file there, then reading it found nothing",
        "absent|      LOCKED|  false| TARGET_CHANGED|    false| false| the detection found a file there, then reading it found nothing",
        "absent|      UNKNOWN| false| TARGET_CHANGED|    false| false| the detection found a file there, then reading it found nothing",
        "unversioned| ABSENT|  false| TARGET_CHANGED|    false| false| the detection found nothing there, then reading it found a file (unversioned)",
        "unversioned| FREE|    false| REPLACE_NOW|       true|  false| a versioned file wins over an unversioned one",
        "unversioned| LOCKED|  false| REPLACE_AT_REBOOT| true|  true|  a versioned file wins over an unversioned one",
        "unversioned| UNKNOWN| false| REPLACE_AT_REBOOT| true|  true|  so it is treated as held",
        "older|       ABSENT|  false| TARGET_CHANGED|    false| false| then reading it found a file (1.0.0.0)",
        "older|       FREE|    false| REPLACE_NOW|       true|  false| 1.0.0.0, is older than the package's 1.1.0.0; nothing holds it: it is replaced now",
        "older|       LOCKED|  false| REPLACE_AT_REBOOT| true|  true|  is older than the package's 1.1.0.0; it is locked by upsmon.exe (pid 77)",
        "older|       UNKNOWN| false| REPLACE_AT_REBOOT| true|  true|  is older than the package's 1.1.0.0; whether anything holds it could not be told",
        "equal|       ABSENT|  false| TARGET_CHANGED|    false| false| then reading it found a file (1.1.0.0)",
        "equal|       FREE|    false| SKIP_EQUAL|        false| false| the file in place already is 1.1.0.0 (not this product's): left as it is",
        "equal|       LOCKED|  false| SKIP_EQUAL|        false| false| an equal version is replaced only when forced",
        "equal|       UNKNOWN| false| SKIP_EQUAL|        false| false| an equal version is replaced only when forced",
        "newer|       ABSENT|  false| TARGET_CHANGED|    false| false| then reading it found a file (1.2.0.0)",
        "newer|       FREE|    false| SKIP_NEWER|        false| false| the file in place, 1.2.0.0, is newer than the package's 1.1.0.0: inuse never downgrades",
        "newer|       LOCKED|  false| SKIP_NEWER|        false| false| inuse never downgrades",
        "newer|       UNKNOWN| false| SKIP_NEWER|        false| false| inuse never downgrades",
        "absent|      ABSENT|  true|  INSTALL|           false| false| no backup, there is no original to keep",
        "absent|      LOCKED|  true|  TARGET_CHANGED|    false| false| Run the install again",
        "unversioned| FREE|    true|  REPLACE_NOW|       true|  false| a versioned file wins over an unversioned one",
        "unversioned| LOCKED|  true|  REPLACE_AT_REBOOT| true|  true|  a versioned file wins over an unversioned one",
        "older|       FREE|    true|  REPLACE_NOW|       true|  false| is older than the package's 1.1.0.0",
        "older|       LOCKED|  true|  REPLACE_AT_REBOOT| true|  true|  is older than the package's 1.1.0.0",
        "older|       UNKNOWN| true|  REPLACE_AT_REBOOT| true|  true|  is older than the package's 1.1.0.0",
        "equal|       FREE|    true|  REPLACE_NOW|       true|  false| the file in place already is 1.1.0.0 (not this product's), and equal versions are forced; nothing holds it",
        "equal|       LOCKED|  true|  REPLACE_AT_REBOOT| true|  true|  and equal versions are forced; it is locked by upsmon.exe (pid 77)",
        "equal|       UNKNOWN| true|  REPLACE_AT_REBOOT| true|  true|  and equal versions are forced; whether anything holds it could not be told",
        "newer|       FREE|    true|  SKIP_NEWER|        false| false| inuse never downgrades",
        "newer|       LOCKED|  true|  SKIP_NEWER|        false| false| inuse never downgrades",
        "newer|       UNKNOWN| true|  SKIP_NEWER|        false| false| inuse never downgrades",
    })
    void eachFileInPlaceWithEachVerdict(String inPlace, Verdict verdict, boolean force, Decision expected, boolean backUp,
            boolean reboot, String fragment) {
        Facts facts = new Facts().existing(state(inPlace), verdict);
        if (verdict == Verdict.LOCKED) {
            facts.lockers(UPSMON);
        }
        Plan plan = Plan.decide(List.of(facts.build()), force);
        Step step = plan.steps().get(0);
        assertEquals(expected, step.decision(), step::logLine);
        assertEquals(backUp, step.backUp(), step::logLine);
        assertEquals(reboot, plan.rebootNeeded(), step::logLine);
        assertEquals(expected.isRefusal(), plan.refused());
        assertTrue(step.reason().contains(fragment), () -> "'" + fragment + "' not in: " + step.reason());
    }

    @Test
    void aLockedOlderFileIsReplacedAtTheNextRebootAndItsOriginalBackedUp() {
        Step step = new Facts().existing(Facts.version("1.0.0.0"), Verdict.LOCKED).lockers(UPSMON, SNMP).decide(false);
        assertEquals("[System]\\MAPI32.DLL (C:\\Windows\\System32\\MAPI32.DLL): replace at the next reboot: the file in place,"
                + " 1.0.0.0, is older than the package's 1.1.0.0; it is locked by upsmon.exe (pid 77), Service: SNMP Service (SNMP):"
                + " a copy is put next to it and moved in place at the next reboot; the original (1.0.0.0) is backed up first",
                step.logLine());
    }

    @Test
    void aLockedFileNobodyCouldBeNamedForIsReplacedAtTheNextReboot() {
        Step step = new Facts().existing(Facts.version("1.0.0.0"), Verdict.LOCKED).decide(false);
        assertEquals(Decision.REPLACE_AT_REBOOT, step.decision());
        assertTrue(step.reason().contains("it is locked by a process that could not be named: a copy is put next to it"), step.reason());
    }

    @Test
    void anUnknownVerdictIsTreatedAsHeldAndSaysWhy() {
        Step step = new Facts().existing(Facts.version("1.0.0.0"), Verdict.UNKNOWN).lockers(UPSMON).decide(false);
        assertEquals(Decision.REPLACE_AT_REBOOT, step.decision());
        assertEquals("the file in place, 1.0.0.0, is older than the package's 1.1.0.0; whether anything holds it could not be"
                + " told (the exclusive open did not answer; loaded by upsmon.exe (pid 77)), so it is treated as held: a copy is"
                + " put next to it and moved in place at the next reboot, never replaced under a program that may have it loaded;"
                + " the original (1.0.0.0) is backed up first", step.reason());
        Step unnamed = new Facts().existing(Facts.version("1.0.0.0"), Verdict.UNKNOWN).decide(false);
        assertTrue(unnamed.reason().contains("(the exclusive open did not answer), so it is treated as held"), unnamed.reason());
    }

    @Test
    void theFirstInstallBacksTheOriginalUp() {
        Step step = new Facts().existing(Facts.version("1.0.0.0"), Verdict.FREE).decide(false);
        assertEquals(Decision.REPLACE_NOW, step.decision());
        assertTrue(step.backUp());
        assertTrue(step.reason().endsWith("; the original (1.0.0.0) is backed up first"), step.reason());
    }

    @Test
    void aRepairWithOurOwnVersionInPlaceBacksNothingUp() {
        Facts repair = new Facts().existing(Facts.version("1.1.0.0"), Verdict.FREE).ours().backup(Facts.version("1.0.0.0"));
        Step skipped = repair.decide(false);
        assertEquals(Decision.SKIP_EQUAL, skipped.decision());
        assertFalse(skipped.backUp());
        assertTrue(skipped.reason().startsWith("the file in place already is 1.1.0.0 (this product's own): left as it is"));

        Step forced = repair.decide(true);
        assertEquals(Decision.REPLACE_NOW, forced.decision());
        assertFalse(forced.backUp());
        assertTrue(forced.reason().endsWith("; no backup, the file in place is this product's own (the backup of the original,"
                + " 1.0.0.0, is kept)"), forced.reason());

        Step lockedForced = repair.existing(Facts.version("1.1.0.0"), Verdict.LOCKED).decide(true);
        assertEquals(Decision.REPLACE_AT_REBOOT, lockedForced.decision());
        assertFalse(lockedForced.backUp());
    }

    @Test
    void anUpgradeOverOurOwnOlderVersionBacksNothingUp() {
        // our 1.0.5.0 in place, installed where nothing was: there is no original, and ours is not one
        Step step = new Facts().existing(Facts.version("1.0.5.0"), Verdict.FREE).ours().decide(false);
        assertEquals(Decision.REPLACE_NOW, step.decision());
        assertFalse(step.backUp());
        assertTrue(step.reason().endsWith("; no backup, the file in place is this product's own"), step.reason());
    }

    @Test
    void anExistingBackupIsNeverOverwritten() {
        // someone else put 1.0.5.0 over ours after the first install had kept the original 1.0.0.0
        Step step = new Facts().existing(Facts.version("1.0.5.0"), Verdict.FREE).backup(Facts.version("1.0.0.0")).decide(false);
        assertEquals(Decision.REPLACE_NOW, step.decision());
        assertFalse(step.backUp());
        assertTrue(step.reason().endsWith("; no backup, the backup of the original (1.0.0.0) already exists and is never"
                + " overwritten, so the file in place (1.0.5.0) is not kept"), step.reason());

    }

    @Test
    void aDamagedBackupIsNotTakenForTheOriginal() {
        for (FileState damaged : List.of(FileState.unreadable("ReadFile error 5"), FileState.notPe("no MZ signature"))) {
            for (Verdict verdict : List.of(Verdict.FREE, Verdict.LOCKED)) {
                Step step = new Facts().existing(Facts.version("1.0.5.0"), verdict).backup(damaged).decide(false);
                assertEquals(Decision.BACKUP_DAMAGED, step.decision(), step.reason());
                assertTrue(step.decision().isRefusal());
                assertFalse(step.backUp());
                assertTrue(step.reason().contains("the backup of the original in the product's folder (backup\\System\\MAPI32.DLL) is "
                        + damaged.describe() + ": it cannot be taken for the original"), step.reason());
                assertTrue(step.reason().endsWith("then run the install again"), step.reason());
            }
        }
        // a skip relies on no backup: the damaged one does not stop it
        Step skip = new Facts().existing(Facts.version("2.0.0.0"), Verdict.FREE).backup(FileState.notPe("no MZ")).decide(false);
        assertEquals(Decision.SKIP_NEWER, skip.decision());
    }

    @Test
    void skipsAndInstallsBackNothingUpWhateverTheBackupState() {
        for (FileState inPlace : List.of(Facts.version("1.1.0.0"), Facts.version("1.2.0.0"))) {
            Step step = new Facts().existing(inPlace, Verdict.FREE).decide(false);
            assertFalse(step.decision().replaces());
            assertFalse(step.backUp());
        }
        assertFalse(new Facts().decide(true).backUp());
    }

    @Test
    void theRebootIsNeededWhenOneTargetIsReplacedAtTheNextReboot() {
        Target other = new Target(KnownFolder.System, "", "MAPISVC.DLL");
        Facts free = new Facts().existing(Facts.version("1.0.0.0"), Verdict.FREE);
        Facts locked = new Facts().existing(Facts.version("1.0.0.0"), Verdict.LOCKED).path("C:\\Windows\\System32\\MAPISVC.DLL");
        locked.target = other;
        Plan both = Plan.decide(List.of(free.build(), locked.build()), false);
        assertTrue(both.rebootNeeded());
        assertFalse(both.refused());
        assertEquals(List.of(), both.refusalLines());
        assertEquals(2, both.logLines().size());
        assertTrue(both.logLines().get(1).startsWith("[System]\\MAPISVC.DLL (C:\\Windows\\System32\\MAPISVC.DLL): replace at the next reboot: "));

        assertFalse(Plan.decide(List.of(free.build()), false).rebootNeeded());
    }

    @Test
    void aPlanNeedsTargetsEachOnce() {
        IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> Plan.decide(List.of(), false));
        assertEquals("a replacement plan needs at least one target", none.getMessage());
        Facts twice = new Facts().path("c:\\windows\\system32\\mapi32.dll");
        twice.target = new Target(KnownFolder.Windows, "System32", "MAPI32.DLL");
        IllegalArgumentException same = assertThrows(IllegalArgumentException.class,
                () -> Plan.decide(List.of(new Facts().build(), twice.build()), false));
        assertEquals("the targets [System]\\MAPI32.DLL and [Windows]\\System32\\MAPI32.DLL are the same file"
                + " c:\\windows\\system32\\mapi32.dll: each file may be a target once", same.getMessage());
    }
}
