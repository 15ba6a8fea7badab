package io.inuse.engine.actions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inuse.engine.ActionRunner;
import io.inuse.engine.UserExitException;
import io.inuse.engine.detect.Locker;
import io.inuse.engine.detect.LockersProperty;
import io.inuse.engine.detect.Target;
import io.inuse.engine.machine.FakeMachine;
import io.inuse.engine.machine.KnownFolder;
import io.inuse.engine.machine.OpenProbe;
import io.inuse.engine.machine.Service;
import io.inuse.engine.session.FakeSession;
import io.inuse.engine.session.Msi;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DetectTest {
    static final String DLL = "C:\\Windows\\system32\\MAPI32.DLL";
    static final Target MAPI = new Target(KnownFolder.System, "", "MAPI32.DLL");
    static final String UPSMON = "C:\\Program Files\\UPS\\upsmon.exe";
    static final String SVCHOST = "C:\\Windows\\System32\\svchost.exe";
    static final String P = "inuse: InuseDetect: ";
    static final int FILESINUSE = 0x05000000;

    final FakeMachine machine = FakeMachine.standard().file(DLL, 0xABCD, 100);
    final TypedSession session = new TypedSession();
    /** The record of every FILESINUSE message, in order (FakeSession.messages holds the log lines too). */
    final List<List<Object>> asked = new ArrayList<>();

    /** Answers FILESINUSE with the given answers in turn (the last one again when they run out). */
    void answer(int... answers) {
        session.answers = record -> {
            asked.add(record);
            return answers[Math.min(asked.size(), answers.length) - 1];
        };
    }

    void ui(int level) {
        session.properties.put("UILevel", Integer.toString(level));
    }

    /** upsmon.exe (pid 77, an application) and svchost.exe (pid 912, UPS Monitor) hold MAPI32.DLL. */
    void appAndServiceHoldMapi() {
        machine.process(77, UPSMON, DLL).process(912, SVCHOST, DLL).service("upsmon", "UPS Monitor", 912).lock(DLL);
    }

    void run() throws UserExitException {
        new Detect(machine, List.of(MAPI)).run(session);
    }

    int detections() {
        return machine.count("openExclusive");
    }

    /** A FakeSession that also notes each message's type (FakeSession.messages holds the fields only). */
    static final class TypedSession extends FakeSession {
        final List<Integer> types = new ArrayList<>();

        TypedSession() {
            super("InuseDetect", false);
        }

        @Override
        public int message(int type, Object... fields) {
            types.add(type);
            return super.message(type, fields);
        }

        long count(int type) {
            return types.stream().filter(t -> t == type).count();
        }
    }

    /** Asserts that no FILESINUSE message went out: every message is a log line. */
    void assertNoFilesInUse() {
        assertEquals(0, session.count(FILESINUSE), session.types.toString());
        assertEquals(session.log.size(), session.messages.size(), "only log lines: " + session.messages);
        assertEquals(List.of(), asked);
    }

    static final String LOCKERS = "77|APPLICATION|C:\\Program Files\\UPS\\upsmon.exe||;912|SERVICE|C:\\Windows\\System32\\svchost.exe|upsmon|UPS Monitor";

    @Test
    void aQuietInstallLogsAndPublishesTheLockersAndAsksNobody() throws Exception {
        ui(2);
        appAndServiceHoldMapi();
        answer(2);   // were it asked, it would cancel
        run();
        assertNoFilesInUse();
        assertEquals(List.of(
                P + "[System]\\MAPI32.DLL (C:\\Windows\\system32\\MAPI32.DLL): locked by upsmon.exe (pid 77), Service: UPS Monitor (upsmon)",
                P + "MAPI32.DLL in C:\\Windows\\system32 is held by upsmon.exe (pid 77, C:\\Program Files\\UPS\\upsmon.exe, application)",
                P + "MAPI32.DLL in C:\\Windows\\system32 is held by svchost.exe (pid 912, C:\\Windows\\System32\\svchost.exe, service UPS Monitor (upsmon))",
                P + "1 target(s) locked; UILevel '2': no UI to ask (only reduced (4) and full (5) UI ask a person): FilesInUse not sent;"
                        + " continuing as Ignore: the held file will be replaced at the next reboot (a later stage)"), session.log);
        assertEquals(LOCKERS, session.properties.get(LockersProperty.NAME));
        assertEquals(1, detections());
    }

    @Test
    void basicUiAndAMissingOrOddUiLevelAskNobody() throws Exception {
        for (String level : new String[] {"3", "", "full", "-5"}) {
            FakeMachine m = FakeMachine.standard().file(DLL, 0xABCD, 100);
            m.process(77, UPSMON, DLL).lock(DLL);
            FakeSession s = new FakeSession("InuseDetect", false);
            s.properties.put("UILevel", level);
            s.answers = record -> {
                throw new AssertionError("asked at UILevel '" + level + "': " + record);
            };
            new Detect(m, List.of(MAPI)).run(s);
            assertTrue(s.log.get(s.log.size() - 1).contains("UILevel '" + level + "': no UI to ask"), s.log.toString());
            assertEquals("77|APPLICATION|C:\\Program Files\\UPS\\upsmon.exe||", s.properties.get(LockersProperty.NAME));
        }
        assertTrue(Detect.asks("4"));
        assertTrue(Detect.asks("5"));
        assertTrue(Detect.asks(" 5 "));
        assertFalse(Detect.asks("3"));
        assertFalse(Detect.asks("2"));
        assertFalse(Detect.asks("99999999999"));
    }

    @Test
    void fullUiSendsTheFilesInUseRecordOfAnApplicationAndAServiceHost() throws Exception {
        ui(5);
        machine.process(77, UPSMON, DLL).process(912, SVCHOST, DLL)
                .service("upsmon", "UPS Monitor", 912).service("Alerter", "", 912).lock(DLL);
        answer(5);
        run();
        assertEquals(List.of(List.of("", "upsmon.exe", "upsmon.exe (pid 77)", "Service: Alerter", "Service: Alerter, pid 912",
                "Service: UPS Monitor (upsmon)", "Service: UPS Monitor (upsmon), pid 912")), asked);
        assertEquals(1, session.count(FILESINUSE));
        assertTrue(session.log.contains(P + "MAPI32.DLL in C:\\Windows\\system32 is held by svchost.exe (pid 912, "
                + "C:\\Windows\\System32\\svchost.exe, services Alerter, UPS Monitor (upsmon))"), session.log.toString());
    }

    @Test
    void reducedUiAsksTooWithOneFilesInUseMessage() throws Exception {
        ui(4);
        appAndServiceHoldMapi();
        answer(5);
        run();
        assertEquals(Msi.INSTALLMESSAGE_FILESINUSE, FILESINUSE);
        assertEquals(1, session.count(FILESINUSE), session.types.toString());
        assertEquals(session.log.size() + 1, session.messages.size());
        assertTrue(session.messages.contains(List.of("", "upsmon.exe", "upsmon.exe (pid 77)", "Service: UPS Monitor (upsmon)", "Service: UPS Monitor (upsmon), pid 912")));
    }

    @Test
    void retryTwiceThenTheLockerGoesAwayAndTheInstallGoesOn() throws Exception {
        ui(5);
        appAndServiceHoldMapi();
        session.answers = record -> {
            asked.add(record);
            if (asked.size() == 2) {   // the person stops the service and closes upsmon, then Retry
                machine.removeProcess(77).removeProcess(912).unlock(DLL);
            }
            return 4;
        };
        run();
        assertEquals(3, detections());
        assertEquals(2, asked.size());
        assertEquals(2, session.count(FILESINUSE));
        assertEquals(asked.get(0), asked.get(1));
        assertEquals("", session.properties.get(LockersProperty.NAME));
        assertEquals(P + "no target is locked any more: continuing", session.log.get(session.log.size() - 1));
        assertEquals(2, session.log.stream().filter(l -> l.equals(P + "Retry chosen in FilesInUse: detecting again")).count());
        assertEquals(P + "[System]\\MAPI32.DLL (C:\\Windows\\system32\\MAPI32.DLL): free", session.log.get(session.log.size() - 2));
    }

    @Test
    void retryIsBoundedThenTheInstallGoesOnAsIgnore() throws Exception {
        ui(5);
        machine.process(77, UPSMON, DLL).lock(DLL);
        answer(4);
        run();
        assertEquals(Detect.MAX_ASKS, asked.size());
        assertEquals(Detect.MAX_ASKS + 1, detections());
        assertEquals(P + "still locked after 100 Retry answers: FilesInUse not sent again; continuing as Ignore:"
                + " the held file will be replaced at the next reboot (a later stage)", session.log.get(session.log.size() - 1));
        assertEquals("77|APPLICATION|C:\\Program Files\\UPS\\upsmon.exe||", session.properties.get(LockersProperty.NAME));
    }

    @Test
    void ignoreGoesOnAndTheFileWaitsForTheNextReboot() throws Exception {
        ui(5);
        appAndServiceHoldMapi();
        answer(5);
        run();
        assertEquals(1, asked.size());
        assertEquals(1, detections());
        assertEquals(P + "Ignore chosen in FilesInUse: continuing: the held file will be replaced at the next reboot (a later stage)",
                session.log.get(session.log.size() - 1));
        assertEquals(LOCKERS, session.properties.get(LockersProperty.NAME));
    }

    @Test
    void cancelOrAbortIsExitAndEndsWith1602() throws Exception {
        for (int exit : new int[] {2, 3}) {
            FakeMachine m = FakeMachine.standard().file(DLL, 0xABCD, 100);
            m.process(77, UPSMON, DLL).lock(DLL);
            FakeSession s = new FakeSession("InuseDetect", false);
            s.properties.put("UILevel", "5");
            s.answers = record -> exit;
            UserExitException e = assertThrows(UserExitException.class, () -> new Detect(m, List.of(MAPI)).run(s));
            assertEquals("Exit chosen in FilesInUse", e.getMessage());
            assertEquals("77|APPLICATION|C:\\Program Files\\UPS\\upsmon.exe||", s.properties.get(LockersProperty.NAME));
        }
        ui(5);
        appAndServiceHoldMapi();
        answer(2);
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        assertEquals(1602, new ActionRunner(new PrintStream(err, true)).run(session, new Detect(machine, List.of(MAPI))));
        assertEquals(P + "cancelled: Exit chosen in FilesInUse", session.log.get(session.log.size() - 1));
        assertEquals(LOCKERS, session.properties.get(LockersProperty.NAME));
    }

    @Test
    void noAnswerMeansNobodyIsThereAndGoesOnAsIgnore() throws Exception {
        ui(5);
        appAndServiceHoldMapi();
        answer(0);
        run();
        assertEquals(1, asked.size());
        assertEquals(1, detections());
        assertEquals(P + "nobody answered FilesInUse (answer 0: no UI handled the message): continuing as Ignore:"
                + " the held file will be replaced at the next reboot (a later stage)", session.log.get(session.log.size() - 1));
    }

    @Test
    void aFailedMessageOrAnUnexpectedAnswerGoesOnAsIgnore() throws Exception {
        ui(5);
        machine.process(77, UPSMON, DLL).lock(DLL);
        answer(-1);
        run();
        assertEquals(P + "FilesInUse could not be shown (answer -1): continuing as Ignore:"
                + " the held file will be replaced at the next reboot (a later stage)", session.log.get(session.log.size() - 1));

        FakeSession s = new FakeSession("InuseDetect", false);
        s.properties.put("UILevel", "5");
        s.answers = record -> 1;
        new Detect(machine, List.of(MAPI)).run(s);
        assertEquals(P + "unexpected answer 1 (OK) to FilesInUse: continuing as Ignore:"
                + " the held file will be replaced at the next reboot (a later stage)", s.log.get(s.log.size() - 1));
        assertEquals(2, detections());
    }

    @Test
    void nothingLockedAsksNobodyEvenInFullUi() throws Exception {
        ui(5);
        machine.process(77, UPSMON, DLL);   // loaded, but the exclusive open succeeds
        answer(2);
        run();
        assertNoFilesInUse();
        assertEquals("", session.properties.get(LockersProperty.NAME));
        assertEquals(List.of(P + "[System]\\MAPI32.DLL (C:\\Windows\\system32\\MAPI32.DLL): free; loaded, not locked: upsmon.exe (pid 77)"),
                session.log);
        assertFalse(session.propertiesRead.contains("UILevel"), "UILevel is read only when something is locked");
    }

    @Test
    void noTargetsAndAnAbsentTargetAskNobody() throws Exception {
        ui(5);
        answer(2);
        new Detect(machine, List.of()).run(session);
        new Detect(machine, List.of(new Target(KnownFolder.ProgramFiles, "UPS", "new.dll"))).run(session);
        assertNoFilesInUse();
        assertEquals("", session.properties.get(LockersProperty.NAME));
        assertEquals(List.of(P + "[ProgramFiles]\\UPS\\new.dll (C:\\Program Files\\UPS\\new.dll): absent: nothing can hold it"), session.log);
    }

    @Test
    void aLockedTargetNoProcessCanBeNamedForIsNamedByItsFile() throws Exception {
        ui(5);
        machine.unscannable(600, "", "OpenProcess error 5").lock(DLL);
        answer(5);
        run();
        assertEquals(List.of(List.of("", "MAPI32.DLL", "held by a process that could not be named")), asked);
        assertEquals("", session.properties.get(LockersProperty.NAME));
        assertEquals(List.of(
                P + "[System]\\MAPI32.DLL (C:\\Windows\\system32\\MAPI32.DLL): locked: held by a process that could not be named (1 unscanned)",
                P + "[System]\\MAPI32.DLL: could not scan unnamed process (pid 600): OpenProcess error 5",
                P + "Ignore chosen in FilesInUse: continuing: the held file will be replaced at the next reboot (a later stage)"), session.log);
    }

    @Test
    void aDetectorProblemIsLoggedAndALockedTargetIsStillAskedAbout() throws Exception {
        ui(5);
        machine.process(77, UPSMON, DLL).lock(DLL);
        machine.failing.put("processes", 5L);
        answer(5);
        run();
        assertEquals(List.of(List.of("", "MAPI32.DLL", "held by a process that could not be named")), asked);
        assertTrue(session.log.contains(P + "[System]\\MAPI32.DLL: problem: listing the processes: CreateToolhelp32Snapshot error 5"),
                session.log.toString());
        assertEquals("", session.properties.get(LockersProperty.NAME));
    }

    @Test
    void aLockerOfSeveralTargetsIsOneEntryAndOneRow() throws Exception {
        ui(5);
        String wow = "C:\\Windows\\SysWOW64\\MAPI32.DLL";
        String ups = "C:\\Program Files\\UPS\\ups.dll";
        machine.file(wow, 0xABCD, 300).file(ups, 7, 42).lock(DLL).lock(wow).lock(ups);
        machine.process(912, SVCHOST, DLL, wow).service("upsmon", "UPS Monitor", 912).process(77, UPSMON, wow, ups);
        answer(5);
        new Detect(machine, List.of(MAPI, new Target(KnownFolder.SystemX86, "", "MAPI32.DLL"),
                new Target(KnownFolder.ProgramFiles, "UPS", "ups.dll"))).run(session);
        assertEquals(List.of(List.of("", "upsmon.exe", "upsmon.exe (pid 77)", "Service: UPS Monitor (upsmon)", "Service: UPS Monitor (upsmon), pid 912")), asked);
        assertEquals(LOCKERS, session.properties.get(LockersProperty.NAME));
        assertEquals(List.of(new Locker(77, UPSMON, Locker.Kind.APPLICATION, List.of()),
                new Locker(912, SVCHOST, Locker.Kind.SERVICE, List.of(new Service("upsmon", "UPS Monitor", 912)))),
                LockersProperty.decode(session.properties.get(LockersProperty.NAME)));
        assertEquals(2, session.log.stream().filter(l -> l.contains(" is held by upsmon.exe (pid 77")).count(), session.log.toString());
        assertEquals(2, session.log.stream().filter(l -> l.contains(" is held by svchost.exe (pid 912")).count(), session.log.toString());
    }

    @Test
    void anUnknownTargetIsPublishedButNotAskedAbout() throws Exception {
        ui(5);
        machine.process(77, UPSMON, DLL).probe(DLL, OpenProbe.Result.ACCESS_DENIED, 5);
        answer(2);
        run();
        assertNoFilesInUse();
        assertEquals("77|APPLICATION|C:\\Program Files\\UPS\\upsmon.exe||", session.properties.get(LockersProperty.NAME));
        assertEquals(List.of(
                P + "[System]\\MAPI32.DLL (C:\\Windows\\system32\\MAPI32.DLL): unknown: the exclusive open failed with error 5; loaded by upsmon.exe (pid 77)",
                P + "MAPI32.DLL in C:\\Windows\\system32 is loaded by upsmon.exe (pid 77, C:\\Program Files\\UPS\\upsmon.exe, application)"),
                session.log);
    }

    @Test
    void aCriticalProcessIsSaidToNeedAReboot() throws Exception {
        ui(2);
        machine.process(4, "", DLL).process(700, "C:\\Windows\\system32\\lsass.exe", DLL).service("KeyIso", "CNG Key Isolation", 700).lock(DLL);
        run();
        assertTrue(session.log.contains(P + "MAPI32.DLL in C:\\Windows\\system32 is held by System (pid 4, image path unknown,"
                + " critical system process: only a reboot frees what it holds)"), session.log.toString());
        assertTrue(session.log.contains(P + "MAPI32.DLL in C:\\Windows\\system32 is held by lsass.exe (pid 700, C:\\Windows\\system32\\lsass.exe,"
                + " critical system process: only a reboot frees what it holds; service CNG Key Isolation (KeyIso))"), session.log.toString());
        assertEquals("4|CRITICAL|||;700|CRITICAL|C:\\Windows\\system32\\lsass.exe|KeyIso|CNG Key Isolation",
                session.properties.get(LockersProperty.NAME));
    }
}
