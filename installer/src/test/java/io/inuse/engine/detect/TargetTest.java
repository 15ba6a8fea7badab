package io.inuse.engine.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.inuse.engine.machine.KnownFolder;
import org.junit.jupiter.api.Test;

class TargetTest {
    @Test
    void thePathJoinsFolderRelativeAndNameWithBackslashes() {
        assertEquals("C:\\Windows\\system32\\MAPI32.DLL", new Target(KnownFolder.System, "", "MAPI32.DLL").pathIn("C:\\Windows\\system32"));
        assertEquals("C:\\P\\sub\\dir\\a.dll", new Target(KnownFolder.ProgramFiles, "/sub/dir\\", "a.dll").pathIn("C:\\P\\"));
        assertEquals("[ProgramData]\\x\\a.dll", new Target(KnownFolder.ProgramData, "x", "a.dll").toString());
    }

    @Test
    void aTargetStaysInsideItsFolder() {
        assertThrows(IllegalArgumentException.class, () -> new Target(KnownFolder.System, "..", "a.dll"));
        assertThrows(IllegalArgumentException.class, () -> new Target(KnownFolder.System, "a\\..\\..\\b", "a.dll"));
        assertThrows(IllegalArgumentException.class, () -> new Target(KnownFolder.System, "C:\\x", "a.dll"));
        assertThrows(IllegalArgumentException.class, () -> new Target(KnownFolder.System, "a\\\\b", "a.dll"));
        assertThrows(IllegalArgumentException.class, () -> new Target(KnownFolder.System, "", "sub\\a.dll"));
        assertThrows(IllegalArgumentException.class, () -> new Target(KnownFolder.System, "", ""));
        assertThrows(IllegalArgumentException.class, () -> new Target(null, "", "a.dll"));
    }
}
