package io.inuse.engine.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inuse.engine.detect.Detection.Verdict;
import io.inuse.engine.detect.Locker.Kind;
import io.inuse.engine.machine.FakeMachine;
import io.inuse.engine.machine.KnownFolder;
import io.inuse.engine.machine.RmProcess;
import io.inuse.engine.machine.Service;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the detector takes from Restart Manager and from the lockers' windows (the rest: DetectorTest). */
class DetectorRestartManagerTest {
    static final String DLL = "C:\\Windows\\system32\\MAPI32.DLL";
    static final Target MAPI = new Target(KnownFolder.System, "", "MAPI32.DLL");
    static final String UPSMON = "C:\\Program Files\\UPS\\upsmon.exe";
    static final String SVCHOST = "C:\\Windows\\System32\\svchost.exe";

    final FakeMachine machine = FakeMachine.standard().file(DLL, 0xABCD, 100);

    Detection detectMapi() {
        List<Detection> all = new Detector(machine).detect(List.of(MAPI));
        assertEquals(1, all.size());
        return all.get(0);
    }

    static RmProcess rm(long pid, String app, String service, long type) {
        return new RmProcess(pid, app, service, type, 1, 1, false);
    }

    @Test
    void restartManagerSaysNothingAndTheProbeSaysLocked() {
        machine.lock(DLL);
        Detection d = detectMapi();
        assertEquals(Verdict.LOCKED, d.verdict(), "an empty Restart Manager answer is no proof that the file is free");
        assertTrue(d.heldByUnnamedProcess());
        assertEquals(List.of(), d.problems());
        assertEquals(List.of("rmStart", "rmRegister", "rmGetList", "rmEnd"),
                machine.calls.stream().filter(c -> c.startsWith("rm")).toList());
        assertEquals(List.of(DLL), machine.rmRegistered.get(1L));
        assertEquals(List.of(), List.copyOf(machine.rmOpen.keySet()), "the detector's own session is ended");
    }

    @Test
    void aProcessTheScanCannotOpenIsNamedByRestartManager() {
        machine.unscannable(600, "C:\\Program Files\\AV\\avscan.exe", "OpenProcess error 5").lock(DLL)
                .rmUser(DLL, rm(600, "Contoso Antivirus", "", RmProcess.RM_MAIN_WINDOW));
        Detection d = detectMapi();
        assertEquals(Verdict.LOCKED, d.verdict());
        assertEquals(List.of(new Locker(600, "C:\\Program Files\\AV\\avscan.exe", Kind.APPLICATION, List.of(), "Contoso Antivirus")), d.lockers());
        assertEquals(List.of(), d.unscanned(), "named by Restart Manager, so no longer only unscanned");
        assertEquals("locked by avscan.exe (pid 600)", d.finding());
    }

    @Test
    void aServiceRestartManagerNamesIsAServiceWithItsDisplayName() {
        machine.unscannable(912, SVCHOST, "OpenProcess error 5").service("upsmon", "UPS Monitor", 912).lock(DLL)
                .rmUser(DLL, rm(912, "UPS Monitor", "upsmon", RmProcess.RM_SERVICE));
        Detection d = detectMapi();
        assertEquals(List.of(new Locker(912, SVCHOST, Kind.SERVICE, List.of(new Service("upsmon", "UPS Monitor", 912)))), d.lockers());
    }

    @Test
    void aServiceRestartManagerNamesThatTheServiceListLacksKeepsItsShortName() {
        machine.lock(DLL).rmUser(DLL, rm(913, "snmp", "SNMP", RmProcess.RM_SERVICE));
        Detection d = detectMapi();
        assertEquals(List.of(new Locker(913, "", Kind.SERVICE, List.of(new Service("SNMP", "SNMP", 913)))), d.lockers());
    }

    @Test
    void aCriticalProcessRestartManagerNamesIsCritical() {
        machine.lock(DLL).rmUser(DLL, rm(500, "csrss", "", RmProcess.RM_CRITICAL));
        assertEquals(Kind.CRITICAL, detectMapi().lockers().get(0).kind());
    }

    @Test
    void theModuleListsAndRestartManagerNamingOneProcessGiveOneLocker() {
        machine.process(77, UPSMON, DLL).lock(DLL).rmUser(DLL, rm(77, "UPS", "", RmProcess.RM_CONSOLE));
        assertEquals(List.of(new Locker(77, UPSMON, Kind.APPLICATION, List.of())), detectMapi().lockers());
    }

    @Test
    void whatRestartManagerNamesWhileTheProbeOpensTheFileIsLoadedNotLocked() {
        machine.rmUser(DLL, rm(77, "UPS", "", RmProcess.RM_CONSOLE)).process(77, UPSMON);
        Detection d = detectMapi();
        assertEquals(Verdict.FREE, d.verdict());
        assertEquals(List.of(), d.lockers());
        assertEquals(List.of(new Locker(77, UPSMON, Kind.APPLICATION, List.of())), d.loadedNotLocked());
    }

    @Test
    void rebootReasonsAreNotedAndAFailedRestartManagerCallLeavesTheOtherStepsRunning() {
        machine.process(77, UPSMON, DLL).lock(DLL);
        machine.rmRebootReasons = 1 | 4 | 64;
        Detection d = detectMapi();
        assertEquals(List.of("Restart Manager: RmGetList reboot reasons 69 (permission denied, critical process, unknown 0x40)"), d.problems());

        FakeMachine failing = FakeMachine.standard().file(DLL, 0xABCD, 100).process(77, UPSMON, DLL).lock(DLL);
        failing.failing.put("rmGetList", 5L);
        Detection e = new Detector(failing).detect(List.of(MAPI)).get(0);
        assertEquals(List.of(new Locker(77, UPSMON, Kind.APPLICATION, List.of())), e.lockers());
        assertEquals(List.of("asking Restart Manager about " + DLL + ": RmGetList error 5"), e.problems());
        assertEquals(List.of(), List.copyOf(failing.rmOpen.keySet()), "ended even when a call failed");

        FakeMachine noSession = FakeMachine.standard().file(DLL, 0xABCD, 100).process(77, UPSMON, DLL).lock(DLL);
        noSession.failing.put("rmStart", 1460L);
        Detection f = new Detector(noSession).detect(List.of(MAPI)).get(0);
        assertEquals(Verdict.LOCKED, f.verdict());
        assertEquals(1, f.lockers().size());
        assertEquals(List.of("starting a Restart Manager session: RmStartSession error 1460"), f.problems());
    }

    @Test
    void anAbsentTargetIsNotRegisteredWithRestartManager() {
        machine.removeFile(DLL);
        assertEquals(Verdict.ABSENT, detectMapi().verdict());
        assertEquals(0, machine.count("rmStart"));
    }

    @Test
    void eachLockerGetsTheTitleOfItsFirstWindowInOneCall() {
        String wow = "C:\\Windows\\SysWOW64\\MAPI32.DLL";
        machine.file(wow, 0xABCD, 300).lock(DLL).lock(wow).process(77, UPSMON, DLL, wow).process(78, "C:\\x\\mail.exe", wow)
                .window(77, "UPS Monitor - Status").window(77, "second window").window(99, "not a locker");
        List<Detection> all = new Detector(machine).detect(List.of(MAPI, new Target(KnownFolder.SystemX86, "", "MAPI32.DLL")));
        assertEquals(List.of(new Locker(77, UPSMON, Kind.APPLICATION, List.of(), "UPS Monitor - Status")), all.get(0).lockers());
        assertEquals(List.of(new Locker(77, UPSMON, Kind.APPLICATION, List.of(), "UPS Monitor - Status"),
                new Locker(78, "C:\\x\\mail.exe", Kind.APPLICATION, List.of())), all.get(1).lockers());
        assertEquals(1, machine.count("windowTitles"));
    }

    @Test
    void noLockerAsksForNoWindowsAndAFailedWindowCallIsAProblem() {
        machine.lock(DLL);
        detectMapi();
        assertEquals(0, machine.count("windowTitles"));

        machine.process(77, UPSMON, DLL).failing.put("windowTitles", 5L);
        Detection d = detectMapi();
        assertEquals(List.of(new Locker(77, UPSMON, Kind.APPLICATION, List.of())), d.lockers());
        assertEquals(List.of("reading the lockers' window titles: EnumWindows error 5"), d.problems());
    }
}
