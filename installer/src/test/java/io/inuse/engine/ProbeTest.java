package io.inuse.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inuse.engine.actions.Probe;
import io.inuse.engine.actions.ProbeDeferred;
import io.inuse.engine.session.FakeSession;
import io.inuse.engine.session.Msi;
import io.inuse.engine.session.SessionException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProbeTest {
    @Test
    void theImmediateActionHandsTheDeferredOneItsSettings() throws Exception {
        FakeSession immediate = new FakeSession("InuseProbe", false);
        immediate.properties.put("INUSE_JAVA_HOME", "C:\\Java;17");
        immediate.properties.put("INUSE_REQUEST_REBOOT", "1");   // a test hook of earlier builds: no longer passed on
        immediate.properties.put("ProductVersion", "1.1.0");
        new Probe().run(immediate);
        assertEquals("inuse1;INUSE_JAVA_HOME=10:C:\\Java;17;ProductVersion=5:1.1.0;", immediate.properties.get(Probe.DEFERRED));
        assertTrue(immediate.properties.get("INUSE_ENGINE_RUNTIME").startsWith("Java " + System.getProperty("java.version")));
        assertTrue(immediate.log.get(0).startsWith("inuse: InuseProbe: engine runtime: Java "), immediate.log.get(0));

        FakeSession deferred = new FakeSession(Probe.DEFERRED, true);
        deferred.properties.put("CustomActionData", immediate.properties.get(Probe.DEFERRED));
        new ProbeDeferred().run(deferred);
        assertEquals(List.of("CustomActionData"), deferred.propertiesRead, "a deferred action reads CustomActionData only");
        assertTrue(deferred.modes.isEmpty(), "the released deferred probe asks for no reboot, whatever CustomActionData says");
        assertTrue(deferred.log.get(0).contains("INUSE_JAVA_HOME=C:\\Java;17"), deferred.log.get(0));
    }

    @Test
    void aRebootRequestInCustomActionDataIsNotActedOn() throws Exception {
        FakeSession deferred = new FakeSession(Probe.DEFERRED, true);
        deferred.properties.put("CustomActionData", "inuse1;INUSE_REQUEST_REBOOT=1:1;ProductVersion=5:1.1.0;");
        new ProbeDeferred().run(deferred);
        assertTrue(deferred.modes.isEmpty());
    }

    @Test
    void theFakeDeferredSessionRefusesWhatTheBrokerRefuses() {
        FakeSession deferred = new FakeSession(Probe.DEFERRED, true);
        assertEquals(5, assertThrows(SessionException.class, () -> deferred.property("ProductVersion")).win32Error());
        assertEquals("MsiSetMode", assertThrows(SessionException.class, () -> deferred.setMode(Msi.MSIRUNMODE_REBOOTATEND, true)).api());
        assertThrows(SessionException.class, () -> deferred.setProperty("X", "1"));
        assertThrows(SessionException.class, () -> deferred.query("SELECT `File` FROM `File`"));
        deferred.property("ProductCode");
        deferred.property("UserSID");
    }
}
