package io.inuse.engine.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inuse.engine.detect.Detection.Verdict;
import io.inuse.engine.detect.Locker.Kind;
import io.inuse.engine.machine.FakeMachine;
import io.inuse.engine.machine.FileIdentity;
import io.inuse.engine.machine.KnownFolder;
import io.inuse.engine.machine.OpenProbe;
import io.inuse.engine.machine.Service;
import java.util.List;
import org.junit.jupiter.api.Test;

class DetectorTest {
    static final String DLL = "C:\\Windows\\system32\\MAPI32.DLL";
    static final Target MAPI = new Target(KnownFolder.System, "", "MAPI32.DLL");
    static final String UPSMON = "C:\\Program Files\\UPS\\upsmon.exe";
    static final String SVCHOST = "C:\\Windows\\System32\\svchost.exe";

    final FakeMachine machine = FakeMachine.standard().file(DLL, 0xABCD, 100);
    final Detector detector = new Detector(machine);

    Detection detectMapi() {
        List<Detection> all = detector.detect(List.of(MAPI));
        assertEquals(1, all.size());
        return all.get(0);
    }

    static Locker app(long pid, String image) {
        return new Locker(pid, image, Kind.APPLICATION, List.of());
    }

    @Test
    void aSharingViolationWithNoProcessListingTheFileIsLockedByAnUnnamedProcess() {
        machine.process(10, "C:\\Windows\\explorer.exe", "C:\\Windows\\system32\\kernel32.dll").lock(DLL);
        Detection d = detectMapi();
        assertEquals(Verdict.LOCKED, d.verdict());
        assertEquals(DLL, d.path());
        assertEquals(new FileIdentity(DLL, 0xABCD, 100), d.identity());
        assertEquals(new OpenProbe(OpenProbe.Result.SHARING_VIOLATION, 32), d.probe());
        assertEquals(List.of(), d.lockers());
        assertEquals(List.of(), d.loadedNotLocked());
        assertEquals(List.of(), d.unscanned());
        assertEquals(List.of(), d.problems());
        assertTrue(d.heldByUnnamedProcess());
        assertEquals(List.of(), names(d));
        assertEquals("held by a process that could not be named", Detection.UNNAMED_HOLDER);
        assertEquals("locked: held by a process that could not be named", d.finding());
        assertEquals(List.of(List.of("MAPI32.DLL")), machine.processesAsked);
    }

    @Test
    void aModuleListNamingTheFileWhileTheProbeOpensItIsLoadedNotLocked() {
        machine.process(77, UPSMON, DLL);
        Detection d = detectMapi();
        assertEquals(Verdict.FREE, d.verdict());
        assertEquals(List.of(), d.lockers());
        assertEquals(List.of(app(77, UPSMON)), d.loadedNotLocked());
        assertEquals(List.of(), names(d));
        assertEquals("free; loaded, not locked: upsmon.exe (pid 77)", d.finding());
    }

    @Test
    void aProcessThatExitedDuringTheScanIsUnscannedNotDropped() {
        machine.unscannable(88, "C:\\Tools\\gone.exe", "process exited during the scan").lock(DLL);
        Detection d = detectMapi();
        assertEquals(Verdict.LOCKED, d.verdict());
        assertEquals(List.of(), d.lockers());
        assertEquals(List.of(new UnscannedProcess(88, "C:\\Tools\\gone.exe", "process exited during the scan")), d.unscanned());
        assertEquals("locked: held by a process that could not be named (1 unscanned)", d.finding());
        assertEquals("gone.exe (pid 88): process exited during the scan", d.unscanned().get(0).describe());
    }

    @Test
    void aProcessThatCannotBeOpenedIsUnscannedWithItsError() {
        machine.process(77, UPSMON, DLL).unscannable(600, "", "OpenProcess error 5").lock(DLL);
        Detection d = detectMapi();
        assertEquals(Verdict.LOCKED, d.verdict());
        assertEquals(List.of(app(77, UPSMON)), d.lockers());
        assertEquals(List.of(new UnscannedProcess(600, "", "OpenProcess error 5")), d.unscanned());
        assertEquals(List.of("upsmon.exe (pid 77)"), names(d));
        assertEquals("locked by upsmon.exe (pid 77)", d.finding());
    }

    @Test
    void aServiceHostIsOneLockerNamingAllItsServicesSorted() {
        machine.process(912, SVCHOST, DLL).service("b", "B", 912).service("a", "A", 912).service("c", "C", 1000)
                .service("stopped", "Stopped", 0).lock(DLL);
        Detection d = detectMapi();
        Locker host = new Locker(912, SVCHOST, Kind.SERVICE, List.of(new Service("a", "A", 912), new Service("b", "B", 912)));
        assertEquals(List.of(host), d.lockers());
        assertEquals("Service: A (a); Service: B (b)", d.lockers().get(0).displayName());
        assertEquals(List.of("Service: A (a); Service: B (b)"), names(d));
    }

    @Test
    void aDllOfTheSameNameInAnotherFolderIsNotAHolder() {
        String other = "C:\\Program Files\\Other\\MAPI32.DLL";
        machine.file(other, 0xABCD, 200).process(50, "C:\\Program Files\\Other\\other.exe", other).process(77, UPSMON, DLL).lock(DLL);
        Detection d = detectMapi();
        assertEquals(List.of(app(77, UPSMON)), d.lockers());
        assertEquals(List.of(), d.unscanned());
    }

    @Test
    void theSameFileUnderAShortNameAndAPrefixIsOneHolder() {
        String dll = "C:\\Program Files\\UPS\\ups.dll";
        machine.file(dll, 7, 42).alias("C:\\PROGRA~1\\UPS\\ups.dll", dll).lock(dll);
        machine.process(77, UPSMON, "C:\\PROGRA~1\\UPS\\UPS.DLL", "\\\\?\\C:\\Program Files\\UPS\\ups.dll");
        machine.process(78, "C:\\Tools\\viewer.exe", "\\\\?\\C:\\Program Files\\UPS\\ups.dll");
        Detection d = detector.detect(List.of(new Target(KnownFolder.ProgramFiles, "UPS", "ups.dll"))).get(0);
        assertEquals(Verdict.LOCKED, d.verdict());
        assertEquals(List.of(app(77, UPSMON), app(78, "C:\\Tools\\viewer.exe")), d.lockers());
        assertEquals(3, machine.count("identify"), "the target and the two spellings, each once: " + machine.calls);
    }

    @Test
    void lockersAreUniqueByPidAndSortedByPid() {
        machine.process(300, "C:\\c.exe", DLL).process(20, "C:\\b.exe", DLL).process(100, "C:\\a.exe", DLL)
                .process(20, "C:\\b.exe", DLL).lock(DLL);
        Detection d = detectMapi();
        assertEquals(List.of(app(20, "C:\\b.exe"), app(100, "C:\\a.exe"), app(300, "C:\\c.exe")), d.lockers());
        assertEquals(1, machine.count("identify"), "the module path is the target's path: asked once");
    }

    @Test
    void servicesFailingIsAProblemAndTheLockersAreStillFound() {
        machine.process(912, SVCHOST, DLL).service("a", "A", 912).lock(DLL);
        machine.failing.put("services", 5L);
        Detection d = detectMapi();
        assertEquals(Verdict.LOCKED, d.verdict());
        assertEquals(List.of(app(912, SVCHOST)), d.lockers());
        assertEquals(List.of("listing the services: EnumServicesStatusExW error 5"), d.problems());
    }

    @Test
    void processesFailingIsAProblemAndTheProbeStillJudges() {
        machine.process(77, UPSMON, DLL).lock(DLL);
        machine.failing.put("processes", 5L);
        Detection d = detectMapi();
        assertEquals(Verdict.LOCKED, d.verdict());
        assertEquals(List.of(), d.lockers());
        assertTrue(d.heldByUnnamedProcess());
        assertEquals(List.of("listing the processes: CreateToolhelp32Snapshot error 5"), d.problems());
        assertEquals(0, machine.count("services"));
    }

    @Test
    void aLockerGoneBetweenTwoDetectionsIsLockedThenFree() {
        machine.process(77, UPSMON, DLL).lock(DLL);
        Detection first = detectMapi();
        assertEquals(Verdict.LOCKED, first.verdict());
        assertEquals(List.of(app(77, UPSMON)), first.lockers());

        machine.removeProcess(77).unlock(DLL);
        Detection second = detectMapi();
        assertEquals(Verdict.FREE, second.verdict());
        assertEquals(List.of(), second.lockers());
        assertEquals(List.of(), second.loadedNotLocked());
        assertEquals("free", second.finding());
        assertEquals(2, machine.count("processes"));
    }

    @Test
    void aLockerExitingBetweenTheScanAndTheProbeIsLoadedNotLocked() {
        machine.process(77, UPSMON, DLL).lock(DLL);
        machine.beforeCall = call -> {
            if (call.equals("openExclusive")) {
                machine.removeProcess(77).unlock(DLL);
            }
        };
        Detection d = detectMapi();
        assertEquals(Verdict.FREE, d.verdict());
        assertEquals(List.of(app(77, UPSMON)), d.loadedNotLocked());
    }

    @Test
    void severalTargetsAreScannedWithOneProcessesCall() {
        String ups = "C:\\Program Files\\UPS\\ups.dll";
        String wow = "C:\\Windows\\SysWOW64\\MAPI32.DLL";
        machine.file(ups, 7, 42).file(wow, 0xABCD, 300).lock(DLL).lock(ups);
        machine.process(77, UPSMON, ups, wow).process(912, SVCHOST, DLL).service("a", "A", 912);
        List<Detection> all = detector.detect(List.of(MAPI, new Target(KnownFolder.ProgramFiles, "UPS", "ups.dll"),
                new Target(KnownFolder.SystemX86, "", "MAPI32.DLL"), new Target(KnownFolder.ProgramFiles, "UPS\\new", "new.dll")));
        assertEquals(1, machine.count("processes"));
        assertEquals(List.of(List.of("MAPI32.DLL", "ups.dll")), machine.processesAsked);
        assertEquals(1, machine.count("services"));
        assertEquals(4, all.size());
        assertEquals(List.of(new Locker(912, SVCHOST, Kind.SERVICE, List.of(new Service("a", "A", 912)))), all.get(0).lockers());
        assertEquals(List.of(app(77, UPSMON)), all.get(1).lockers());
        assertEquals(Verdict.FREE, all.get(2).verdict());
        assertEquals(List.of(app(77, UPSMON)), all.get(2).loadedNotLocked());
        Detection absent = all.get(3);
        assertEquals("C:\\Program Files\\UPS\\new\\new.dll", absent.path());
        assertEquals(Verdict.ABSENT, absent.verdict());
        assertNull(absent.identity());
        assertNull(absent.probe());
        assertEquals("absent: nothing can hold it", absent.finding());
    }

    @Test
    void criticalProcessesAreTheSystemAndTheSessionProcessesUnderWindows() {
        machine.process(4, "", DLL).process(700, "C:\\WINDOWS\\system32\\lsass.exe", DLL).process(800, "C:\\Temp\\lsass.exe", DLL)
                .service("KeyIso", "CNG Key Isolation", 700).lock(DLL);
        Detection d = detectMapi();
        assertEquals(List.of(new Locker(4, "", Kind.CRITICAL, List.of()),
                new Locker(700, "C:\\WINDOWS\\system32\\lsass.exe", Kind.CRITICAL, List.of(new Service("KeyIso", "CNG Key Isolation", 700))),
                app(800, "C:\\Temp\\lsass.exe")), d.lockers());
        assertEquals(List.of("System (pid 4)", "Service: CNG Key Isolation (KeyIso)", "lsass.exe (pid 800)"), names(d));
    }

    @Test
    void accessDeniedOnTheProbeIsUnknownAndKeepsTheHolders() {
        machine.process(77, UPSMON, DLL).probe(DLL, OpenProbe.Result.ACCESS_DENIED, 5);
        Detection d = detectMapi();
        assertEquals(Verdict.UNKNOWN, d.verdict());
        assertEquals(List.of(app(77, UPSMON)), d.lockers());
        assertEquals("unknown: the exclusive open failed with error 5; loaded by upsmon.exe (pid 77)", d.finding());
    }

    @Test
    void notFoundOnTheProbeIsAbsent() {
        machine.probe(DLL, OpenProbe.Result.NOT_FOUND, 2);
        assertEquals(Verdict.ABSENT, detectMapi().verdict());
    }

    @Test
    void aModuleThatCannotBeIdentifiedIsAProblemNotAHolder() {
        String odd = "C:\\Odd\\MAPI32.DLL";
        machine.process(66, "C:\\Odd\\odd.exe", odd).process(77, UPSMON, DLL).lock(DLL);
        machine.failing.put("identify:" + odd, 5L);
        Detection d = detectMapi();
        assertEquals(List.of(app(77, UPSMON)), d.lockers());
        assertEquals(List.of("identifying C:\\Odd\\MAPI32.DLL: CreateFileW error 5"), d.problems());
    }

    @Test
    void aTargetThatCannotBeIdentifiedIsStillProbed() {
        machine.process(77, UPSMON, DLL).lock(DLL);
        machine.failing.put("identify:" + DLL, 5L);
        Detection d = detectMapi();
        assertEquals(Verdict.LOCKED, d.verdict());
        assertNull(d.identity());
        assertEquals(List.of(), d.lockers());
        assertEquals(List.of("identifying C:\\Windows\\system32\\MAPI32.DLL: CreateFileW error 5"), d.problems());
        assertEquals(0, machine.count("processes"));
    }

    @Test
    void anUnresolvedKnownFolderIsUnknown() {
        machine.failing.put("knownFolder", 2L);
        Detection d = detectMapi();
        assertEquals(Verdict.UNKNOWN, d.verdict());
        assertEquals("", d.path());
        assertEquals(List.of("resolving the known folder System: SHGetKnownFolderPath error 2"), d.problems());
        assertEquals("unknown: not probed", d.finding());
    }

    /** How the lockers of a detection are named to a person (Locker.displayName). */
    private static List<String> names(Detection d) {
        List<String> names = new java.util.ArrayList<>();
        for (Locker locker : d.lockers()) {
            names.add(locker.displayName());
        }
        return names;
    }
}
