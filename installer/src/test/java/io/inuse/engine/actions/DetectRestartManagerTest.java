package io.inuse.engine.actions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inuse.engine.UserExitException;
import io.inuse.engine.detect.Target;
import io.inuse.engine.machine.FakeMachine;
import io.inuse.engine.machine.KnownFolder;
import io.inuse.engine.session.FakeSession;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The detect action when Windows Installer has a Restart Manager session (MsiRestartManagerSessionKey):
 * in full UI it registers the locked targets and the services holding them with that session and
 * leaves the asking to MsiRMFilesInUse. Against the fake machine only: Wine never sets the key, and
 * Windows' answer stays unverified here.
 */
class DetectRestartManagerTest {
    static final String DLL = "C:\\Windows\\system32\\MAPI32.DLL";
    static final String WOW = "C:\\Windows\\SysWOW64\\MAPI32.DLL";
    static final String KEY = "0123456789abcdef0123456789abcdef";
    static final String P = "inuse: InuseDetect: ";

    final FakeMachine machine = FakeMachine.standard().file(DLL, 0xABCD, 100).file(WOW, 0xABCD, 300);
    final FakeSession session = new FakeSession("InuseDetect", false);
    final List<List<Object>> asked = new ArrayList<>();

    DetectRestartManagerTest() {
        session.answers = record -> {
            asked.add(record);
            return 5;
        };
        machine.process(77, "C:\\Program Files\\UPS\\upsmon.exe", DLL).process(912, "C:\\Windows\\System32\\svchost.exe", DLL)
                .service("upsmon", "UPS Monitor", 912).service("Alerter", "Alerter", 912).lock(DLL);
    }

    void run(String uiLevel, String key, String control) throws UserExitException {
        session.properties.put("UILevel", uiLevel);
        if (key != null) {
            session.properties.put("MsiRestartManagerSessionKey", key);
        }
        if (control != null) {
            session.properties.put("MSIRESTARTMANAGERCONTROL", control);
        }
        new Detect(machine, List.of(new Target(KnownFolder.System, "", "MAPI32.DLL"), new Target(KnownFolder.SystemX86, "", "MAPI32.DLL")))
                .run(session);
    }

    /** The handle of the joined session: the detector's own sessions come first, numbered from 1. */
    long joinedHandle() {
        return machine.count("rmStart") + 1L;
    }

    @Test
    void fullUiWithWindowsInstallersSessionRegistersTheLockedTargetsAndServicesAndSendsNoFilesInUse() throws Exception {
        run("5", KEY, "0");
        assertEquals(List.of(KEY), machine.rmJoined);
        assertEquals(List.of(DLL, "Alerter", "upsmon"), machine.rmRegistered.get(joinedHandle()), "the free SysWOW64 file is not registered");
        assertEquals(List.of(), List.copyOf(machine.rmOpen.keySet()), "the joined handle is released");
        assertEquals(List.of(), asked);
        assertTrue(session.log.contains(P + "registered [" + DLL + "] and services [Alerter, upsmon] with Windows Installer's Restart Manager"
                + " session: its MsiRMFilesInUse dialog asks in InstallValidate; FILESINUSE not sent"), session.log.toString());
    }

    @Test
    void belowFullUiTheSessionIsNeverJoined() throws Exception {
        for (String level : List.of("2", "3", "4")) {
            run(level, KEY, null);
        }
        assertEquals(List.of(), machine.rmJoined, "a silent install's Restart Manager would shut the services down unasked");
        assertEquals(1, asked.size(), "reduced UI (4) still asks through FILESINUSE");
    }

    @Test
    void noKeyOrRestartManagerDisabledSendsFilesInUse() throws Exception {
        run("5", null, null);
        run("5", "  ", null);
        run("5", KEY, "Disable");
        run("5", KEY, "disableshutdown");
        assertEquals(List.of(), machine.rmJoined);
        assertEquals(4, asked.size());
        assertTrue(session.log.contains(P + "MSIRESTARTMANAGERCONTROL is 'disableshutdown': Windows Installer shows FilesInUse, not MsiRMFilesInUse:"
                + " sending FILESINUSE"), session.log.toString());
    }

    @Test
    void aJoinOrRegistrationThatFailsFallsBackToFilesInUse() throws Exception {
        machine.failing.put("rmJoin", 87L);
        run("5", KEY, null);
        assertEquals(1, asked.size());
        assertTrue(session.log.stream().anyMatch(l -> l.startsWith(P + "cannot join Windows Installer's Restart Manager session: ")
                && l.endsWith(": sending FILESINUSE instead")), session.log.toString());

        machine.failing.remove("rmJoin");
        machine.failing.put("rmRegister", 5L);
        run("5", KEY, null);
        assertEquals(2, asked.size());
        assertTrue(session.log.stream().anyMatch(l -> l.startsWith(P + "cannot register with Windows Installer's Restart Manager session: ")),
                session.log.toString());
        assertEquals(List.of(), List.copyOf(machine.rmOpen.keySet()), "the joined handle is released after a failed registration");
    }

    @Test
    void nothingLockedJoinsNothing() throws Exception {
        machine.unlock(DLL);
        run("5", KEY, null);
        assertEquals(List.of(), machine.rmJoined);
        assertEquals(List.of(), asked);
    }

    @Test
    void aWindowTitleNamesAnApplicationInTheFilesInUseRecord() throws Exception {
        machine.window(77, "UPS Monitor - Status");
        run("5", null, null);
        assertEquals(List.of("", "upsmon.exe", "UPS Monitor - Status (pid 77)", "Service: Alerter (Alerter)", "Service: Alerter (Alerter), pid 912",
                "Service: UPS Monitor (upsmon)", "Service: UPS Monitor (upsmon), pid 912"), asked.get(0));
        assertTrue(session.log.contains(P + "MAPI32.DLL in C:\\Windows\\system32 is held by upsmon.exe (pid 77, C:\\Program Files\\UPS\\upsmon.exe,"
                + " application; window \"UPS Monitor - Status\")"), session.log.toString());
    }
}
