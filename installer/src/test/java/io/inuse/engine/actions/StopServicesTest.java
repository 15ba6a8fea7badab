package io.inuse.engine.actions;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inuse.engine.CustomActionData;
import io.inuse.engine.replace.Policy;
import io.inuse.engine.replace.ReplaceFixture;
import io.inuse.engine.session.FakeSession;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * INUSE_WHEN_LOCKED=stopservices in the replace action and its rollback (issue 16): the services holding
 * the file are stopped (dependents first), the file replaced now, the services started again in the reverse
 * order; anything else holding it, or a service that does not stop, leaves the reboot path.
 */
class StopServicesTest extends ReplaceFixture {
    static final String AV = "C:\\Program Files\\av\\avsvc.exe";

    StopServicesTest() {
        put(DLL, image(1, 0, 0, 0));
        machine.process(500, AV, DLL);
        machine.service("avsvc", "Anti-Virus", 500);
        machine.service("avmail", "Anti-Virus mail scanner", 600);   // depends on avsvc, holds nothing
        machine.service("avui", "Anti-Virus console", 700);          // depends on avmail
        machine.serviceControl.dependents.put("avsvc", List.of("avui", "avmail"));
        machine.serviceControl.holds.put("avsvc", DLL);
        machine.lock(DLL);
    }

    FakeSession session(String name, String whenLocked) {
        FakeSession session = new FakeSession(name, true);
        session.properties.put("CustomActionData", CustomActionData.builder().put(Replace.RUN, RUN)
                .put(Policy.WHEN_LOCKED, whenLocked).build().encode());
        session.properties.put("ProductCode", CODE);
        return session;
    }

    @Test
    void theServicesAreStoppedDependentsFirstTheFileReplacedNowAndTheyStartAgainInDependencyOrder() throws Exception {
        FakeSession session = session("InuseReplace", "stopservices");
        new Replace(machine, List.of(MAPI), FOLDER).run(session);
        assertArrayEquals(image(1, 2, 0, 0), machine.disk.bytes(DLL).orElseThrow(), "replaced now");
        assertEquals(List.of("stop avui", "stop avmail", "stop avsvc", "start avsvc", "start avmail", "start avui"),
                machine.serviceControl.events);
        assertTrue(session.log.contains("inuse: InuseReplace: 1 replaced now (with 3 service(s) stopped), 0 queued for the next reboot"),
                session.log.toString());
        assertEquals(3, machine.services.size(), "all running again");
    }

    @Test
    void anApplicationHoldingTheFileTooMeansNothingIsStoppedAndTheReplacementWaitsForTheReboot() throws Exception {
        machine.process(900, "C:\\Program Files\\Mail\\mail.exe", DLL);
        FakeSession session = session("InuseReplace", "stopservices");
        new Replace(machine, List.of(MAPI), FOLDER).run(session);
        assertEquals(List.of(), machine.serviceControl.events, "nothing stopped");
        assertTrue(session.log.stream().anyMatch(l -> l.contains("mail.exe (pid 900, application), which is not a service: nothing is"
                + " stopped")), session.log.toString());
        assertTrue(session.log.contains("inuse: InuseReplace: 0 replaced now, 1 queued for the next reboot: InuseRebootCheck asks"
                + " Windows Installer for the reboot (3010)"), session.log.toString());
    }

    @Test
    void aServiceThatDoesNotStopIsNotKilledAndThoseStoppedStartAgain() throws Exception {
        machine.serviceControl.wontStop.add("avsvc");
        FakeSession session = session("InuseReplace", "stopservices");
        new Replace(machine, List.of(MAPI), FOLDER).run(session);
        assertEquals(List.of("stop avui", "stop avmail", "stop avsvc", "start avsvc", "start avmail", "start avui"),
                machine.serviceControl.events, "the slow one is started again first, before those that depend on it");
        assertTrue(session.log.stream().anyMatch(l -> l.contains("the service avsvc did not stop within 30 s (state 3): nothing is killed")),
                session.log.toString());
        assertArrayEquals(image(1, 0, 0, 0), machine.disk.bytes(DLL).orElseThrow(), "queued, not replaced");
    }

    @Test
    void theRollbackStopsThemAgainForTheUndoAndStartsThemAfter() throws Exception {
        new Replace(machine, List.of(MAPI), FOLDER).run(session("InuseReplace", "stopservices"));
        machine.serviceControl.events.clear();
        FakeSession rollback = session("InuseReplaceRollback", "stopservices");
        new ReplaceRollback(machine, FOLDER, List.of(MAPI)).run(rollback);
        assertArrayEquals(image(1, 0, 0, 0), machine.disk.bytes(DLL).orElseThrow(), "the original is back now, not at a reboot");
        assertEquals(List.of("stop avui", "stop avmail", "stop avsvc", "start avsvc", "start avmail", "start avui"),
                machine.serviceControl.events);
    }

    @Test
    void withDeferTheServicesAreLeftAlone() throws Exception {
        new Replace(machine, List.of(MAPI), FOLDER).run(session("InuseReplace", "defer"));
        assertEquals(List.of(), machine.serviceControl.events);
        assertThrows(IllegalArgumentException.class, () -> new Replace(machine, List.of(MAPI), FOLDER).run(session("InuseReplace", "kill")));
    }

    @Test
    void aRollbackWithNothingToUndoStopsNoService() throws Exception {
        new ReplaceRollback(machine, FOLDER, List.of(MAPI)).run(session("InuseReplaceRollback", "stopservices"));
        assertEquals(List.of(), machine.serviceControl.events, "no journal, no run of this install: nothing stopped");
    }
}
