package io.inuse.engine.actions;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inuse.engine.CustomActionData;
import io.inuse.engine.replace.Policy;
import io.inuse.engine.session.FakeSession;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Which removal the detect action is in, and what it hands the uninstall's actions (issue 16). */
class ScheduleRemovalTest {
    FakeSession session(String remove, String upgrading) {
        FakeSession session = new FakeSession("InuseDetect", false);
        session.properties.put("REMOVE", remove);
        session.properties.put("UPGRADINGPRODUCTCODE", upgrading);
        return session;
    }

    @Test
    void anInstallIsNoRemoval() {
        assertEquals(Schedule.Removal.NONE, Schedule.removal(session("", "")));
        assertEquals(Schedule.Removal.NONE, Schedule.removal(session("Main", "")), "removing one feature is no uninstall");
    }

    @Test
    void removeAllIsAnUninstallWhateverItsCase() {
        assertEquals(Schedule.Removal.UNINSTALL, Schedule.removal(session("ALL", "")));
        assertEquals(Schedule.Removal.UNINSTALL, Schedule.removal(session("all", "")));
    }

    @Test
    void aMajorUpgradesRemovalRestoresNothingAndSaysSo() {
        FakeSession s = session("ALL", "{E402F539-A01B-38FA-9FEA-47A1C025AE9F}");
        assertEquals(Schedule.Removal.UPGRADE, Schedule.removal(s));
        assertTrue(s.log.stream().anyMatch(l -> l.contains("this removal is part of the upgrade to {E402F539-A01B-38FA-9FEA-47A1C025AE9F}:"
                + " nothing is restored")), s.log.toString());
    }

    @Test
    void theUninstallsThreeActionsShareOneNewRunIdAndTheInstallsAreNotSet() throws Exception {
        FakeSession s = session("ALL", "");
        s.properties.put("INUSE_JAVA_HOME", "C:\\Java");
        Schedule.handOverUninstall(s, Policy.resolve(Policy.source(io.inuse.engine.machine.FakeMachine.standard(), "MAPI32", Map.of(), "the property")));
        String restore = s.properties.get(Schedule.RESTORE);
        assertEquals(restore, s.properties.get(Schedule.RESTORE_ROLLBACK));
        assertEquals(restore, s.properties.get(Schedule.CLEANUP));
        CustomActionData data = CustomActionData.decode(restore);
        assertTrue(io.inuse.engine.replace.JournalEntry.isRunId(data.get(Replace.RUN).orElseThrow()));
        assertEquals("C:\\Java", data.get("INUSE_JAVA_HOME").orElseThrow());
        assertFalse(s.properties.containsKey(Schedule.REPLACE));
        assertFalse(s.properties.containsKey(Schedule.ROLLBACK));
    }

    @Test
    void stopServicesFromTheCommandLineNeedsAnAdministrator() {
        io.inuse.engine.machine.FakeMachine machine = io.inuse.engine.machine.FakeMachine.standard();
        FakeSession user = session("", "");
        user.properties.put(Policy.WHEN_LOCKED, "StopServices");
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> Schedule.policy(user, machine, "MAPI32"));
        assertTrue(e.getMessage().contains("is not an administrator (AdminUser is not set)"), e.getMessage());
        FakeSession admin = session("", "");
        admin.properties.put(Policy.WHEN_LOCKED, "stopservices");
        admin.properties.put("AdminUser", "1");
        assertEquals(Policy.WhenLocked.STOP_SERVICES, Schedule.policy(admin, machine, "MAPI32").whenLocked());
    }

    @Test
    void thePackagesStopServicesIsForAnAdministratorOnly() {
        io.inuse.engine.machine.FakeMachine machine = io.inuse.engine.machine.FakeMachine.standard();
        java.util.Map<String, String> defaults = java.util.Map.of(Policy.WHEN_LOCKED, "stopservices");
        FakeSession user = session("", "");
        Policy p = Schedule.policy(user, machine, "MAPI32", defaults);
        assertEquals(Policy.WhenLocked.DEFER, p.whenLocked(), "a standard user's run (a repair) does not stop services");
        assertEquals("INUSE_WHEN_LOCKED=defer (the package's stopservices, not for a standard user), INUSE_STRATEGY=reboot (default),"
                + " INUSE_FORCE_EQUAL=0 (default)", p.origin());
        assertTrue(user.log.stream().anyMatch(l -> l.contains("stops services only for an administrator")), user.log.toString());
        FakeSession admin = session("", "");
        admin.properties.put("AdminUser", "1");
        assertEquals(Policy.WhenLocked.STOP_SERVICES, Schedule.policy(admin, machine, "MAPI32", defaults).whenLocked());
        // the policy key is an administrator's: it still wins for everyone
        machine.registry.write(io.inuse.engine.machine.RegRoot.HKLM, Policy.key("MAPI32"), Policy.WHEN_LOCKED,
                io.inuse.engine.machine.RegValue.sz("stopservices"));
        assertEquals(Policy.WhenLocked.STOP_SERVICES, Schedule.policy(session("", ""), machine, "MAPI32", defaults).whenLocked());
    }
}
