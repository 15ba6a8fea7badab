package io.inuse.engine.replace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inuse.engine.machine.FakeMachine;
import io.inuse.engine.machine.RegRoot;
import io.inuse.engine.machine.RegValue;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The policy's names, defaults, precedence (a policy value wins over a property) and validation. */
class PolicyTest {
    final FakeMachine machine = FakeMachine.standard();
    final Map<String, String> properties = new HashMap<>();
    static final String KEY = "SOFTWARE\\Policies\\inuse\\MAPI32";

    Policy resolve() {
        return Policy.resolve(Policy.source(machine, "MAPI32", properties, "the property"));
    }

    void policy(String name, String text) {
        machine.registry.write(RegRoot.HKLM, KEY, name, new RegValue(RegValue.REG_SZ, (text + "\0").getBytes(StandardCharsets.UTF_16LE)));
    }

    @Test
    void nothingSetIsDeferAndNoForce() {
        Policy p = resolve();
        assertEquals(Policy.WhenLocked.DEFER, p.whenLocked());
        assertFalse(p.forceEqual());
        assertEquals("INUSE_WHEN_LOCKED=defer (default), INUSE_STRATEGY=reboot (default), INUSE_FORCE_EQUAL=0 (default)", p.origin());
        assertEquals(KEY, Policy.key("MAPI32"));
    }

    @Test
    void aPropertyIsTakenAndAPolicyValueWinsOverIt() {
        properties.put(Policy.WHEN_LOCKED, "fail");
        properties.put(Policy.FORCE_EQUAL, "1");
        assertEquals(Policy.WhenLocked.FAIL, resolve().whenLocked());
        assertTrue(resolve().forceEqual());
        policy(Policy.WHEN_LOCKED, "Defer");
        machine.registry.write(RegRoot.HKLM, KEY, Policy.FORCE_EQUAL, new RegValue(RegValue.REG_DWORD, new byte[] {0, 0, 0, 0}));
        Policy p = resolve();
        assertEquals(Policy.WhenLocked.DEFER, p.whenLocked());
        assertFalse(p.forceEqual());
        assertEquals("INUSE_WHEN_LOCKED=Defer (policy), INUSE_STRATEGY=reboot (default), INUSE_FORCE_EQUAL=0 (policy)", p.origin());
    }

    @Test
    void thePackagesDefaultComesBetweenAPropertyAndInusesDefault() {
        Map<String, String> defaults = Map.of(Policy.WHEN_LOCKED, "fail", Policy.FORCE_EQUAL, "1");
        Policy p = Policy.resolve(Policy.source(machine, "MAPI32", defaults, properties, "the property"));
        assertEquals(Policy.WhenLocked.FAIL, p.whenLocked());
        assertTrue(p.forceEqual());
        assertEquals("INUSE_WHEN_LOCKED=fail (package), INUSE_STRATEGY=reboot (default), INUSE_FORCE_EQUAL=1 (package)", p.origin());
        assertEquals(Policy.FROM_PACKAGE, p.whenLockedFrom());
        properties.put(Policy.WHEN_LOCKED, "defer");
        policy(Policy.FORCE_EQUAL, "0");
        p = Policy.resolve(Policy.source(machine, "MAPI32", defaults, properties, "the property"));
        assertEquals("INUSE_WHEN_LOCKED=defer (property), INUSE_STRATEGY=reboot (default), INUSE_FORCE_EQUAL=0 (policy)", p.origin());
        assertEquals(Policy.FROM_PROPERTY, p.whenLockedFrom());
        // the rule for a standard user: only INUSE_WHEN_LOCKED's entry of the origin changes
        assertEquals("INUSE_WHEN_LOCKED=defer (the package's stopservices, not for a standard user), INUSE_STRATEGY=reboot (default),"
                + " INUSE_FORCE_EQUAL=0 (policy)", p.deferredForStandardUser().origin());
        // a default the engine does not understand (a package built by another version) is named as the package's
        properties.clear();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Policy.resolve(Policy.source(machine, "MAPI32",
                Map.of(Policy.STRATEGY, "later"), properties, "the property")));
        assertTrue(e.getMessage().startsWith("the package's default INUSE_STRATEGY is 'later', which is not understood"), e.getMessage());
    }

    @Test
    void aValueNotUnderstoodNamesItsSourceAndWhatIsAllowed() {
        properties.put(Policy.WHEN_LOCKED, "kill");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, this::resolve);
        assertEquals("the property INUSE_WHEN_LOCKED is 'kill', which is not understood: use defer (replace a held file at the next"
                + " reboot, the default), fail (stop the install instead) or stopservices (stop the services that hold it, replace it, start"
                + " them again); nothing was changed", e.getMessage());
        properties.clear();
        policy(Policy.FORCE_EQUAL, "yes");
        e = assertThrows(IllegalArgumentException.class, this::resolve);
        assertTrue(e.getMessage().startsWith("the policy value HKLM\\" + KEY + "\\INUSE_FORCE_EQUAL is 'yes', which is not understood"),
                e.getMessage());
        machine.registry.write(RegRoot.HKLM, KEY, Policy.FORCE_EQUAL, new RegValue(RegValue.REG_BINARY, new byte[] {1}));
        e = assertThrows(IllegalArgumentException.class, this::resolve);
        assertEquals("the policy value HKLM\\" + KEY + "\\INUSE_FORCE_EQUAL has registry type 3 and 1 bytes: use a string (REG_SZ) or,"
                + " for INUSE_FORCE_EQUAL, a DWORD; nothing was changed", e.getMessage());
    }

    @Test
    void theStrategyIsRebootOrRenameAsideAndAPolicyValueWins() {
        assertEquals(Policy.Strategy.REBOOT, resolve().strategy(), "the default");
        properties.put(Policy.STRATEGY, "RenameAside");
        assertEquals(Policy.Strategy.RENAME_ASIDE, resolve().strategy());
        policy(Policy.STRATEGY, "reboot");
        assertEquals(Policy.Strategy.REBOOT, resolve().strategy(), "the policy value wins");
        policy(Policy.STRATEGY, "stopservices");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, this::resolve);
        assertEquals("the policy value HKLM\\" + KEY + "\\INUSE_STRATEGY is 'stopservices', which is not understood: use reboot (a held"
                + " file is replaced at the next reboot, the default) or renameaside (the held file is renamed aside and the new one put"
                + " in place at once); nothing was changed", e.getMessage());
    }

    @Test
    void stopServicesIsAWhenLockedValue() {
        policy(Policy.WHEN_LOCKED, "StopServices");
        assertEquals(Policy.WhenLocked.STOP_SERVICES, resolve().whenLocked());
    }

    @Test
    void anotherProductsPolicyIsNotRead() {
        machine.registry.write(RegRoot.HKLM, "SOFTWARE\\Policies\\inuse\\OTHER", Policy.WHEN_LOCKED,
                new RegValue(RegValue.REG_SZ, "fail\0".getBytes(StandardCharsets.UTF_16LE)));
        assertEquals(Policy.WhenLocked.DEFER, resolve().whenLocked());
    }
}
