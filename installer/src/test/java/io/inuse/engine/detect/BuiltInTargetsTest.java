package io.inuse.engine.detect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inuse.engine.detect.BuiltInTargets.BuiltIn;
import io.inuse.engine.machine.KnownFolder;
import java.util.List;
import org.junit.jupiter.api.Test;

class BuiltInTargetsTest {
    private static String refusal(String text) {
        return assertThrows(IllegalStateException.class, () -> BuiltInTargets.parse(text)).getMessage();
    }

    @Test
    void theDemoListIsOneTargetInSystem() {
        List<BuiltIn> targets = BuiltInTargets.parse("inuse-targets 1\nTargetDll\tSystem\t\tMAPI32.DLL\n");
        assertEquals(List.of(new BuiltIn("TargetDll", new Target(KnownFolder.System, "", "MAPI32.DLL"))), targets);
        assertEquals("TargetDll\tSystem\t\tMAPI32.DLL", targets.get(0).line());
        assertEquals("[System]\\MAPI32.DLL", targets.get(0).target().toString());
    }

    @Test
    void aListMayNameSeveralTargetsInOrder() {
        List<BuiltIn> targets = BuiltInTargets.parse("inuse-targets 1\n"
                + "TargetDll\tSystem\t\tMAPI32.DLL\n"
                + "Helper.dll\tProgramFiles\tVendor\\bin\thelper.dll\n"
                + "_x86\tSystemX86\t\tMAPI32.DLL");   // no final LF: accepted too
        assertEquals(List.of(
                new BuiltIn("TargetDll", new Target(KnownFolder.System, "", "MAPI32.DLL")),
                new BuiltIn("Helper.dll", new Target(KnownFolder.ProgramFiles, "Vendor\\bin", "helper.dll")),
                new BuiltIn("_x86", new Target(KnownFolder.SystemX86, "", "MAPI32.DLL"))), targets);
    }

    @Test
    void aMalformedLineIsRefusedByNumberAndText() {
        assertEquals("target list, line 2 ('TargetDll | System | MAPI32.DLL'): a target is four fields separated by tabs"
                + " (File row, known folder, relative path, file name), this line has 3",
                refusal("inuse-targets 1\nTargetDll\tSystem\tMAPI32.DLL\n"));
        assertEquals("target list, line 3 (''): a target is four fields separated by tabs (File row, known folder, relative"
                + " path, file name), this line has 1", refusal("inuse-targets 1\nTargetDll\tSystem\t\tMAPI32.DLL\n\n"));
        assertTrue(refusal("inuse-targets 1\nTargetDll\tSystem\t..\tMAPI32.DLL\n")
                .startsWith("target list, line 2 ('TargetDll | System | .. | MAPI32.DLL'): '..' is not a relative folder path"));
        assertTrue(refusal("inuse-targets 1\nTargetDll\tSystem\t\tsub\\MAPI32.DLL\n")
                .startsWith("target list, line 2 ('TargetDll | System |  | sub\\MAPI32.DLL'): 'sub\\MAPI32.DLL' is not a file name"));
        assertTrue(refusal("inuse-targets 1\n9Dll\tSystem\t\tMAPI32.DLL\n")
                .startsWith("target list, line 2 ('9Dll | System |  | MAPI32.DLL'): '9Dll' is not a File row key"));
        assertTrue(refusal("inuse-targets 1\n\tSystem\t\tMAPI32.DLL\n").contains("'' is not a File row key"));
    }

    @Test
    void theVersionLineComesFirst() {
        assertEquals("target list, line 1 ('TargetDll | System |  | MAPI32.DLL'): the list must begin with the line 'inuse-targets 1'",
                refusal("TargetDll\tSystem\t\tMAPI32.DLL\n"));
        assertEquals("target list, line 1 ('inuse-targets 2'): the list must begin with the line 'inuse-targets 1'",
                refusal("inuse-targets 2\nTargetDll\tSystem\t\tMAPI32.DLL\n"));
        assertEquals("target list, line 1 ('inuse-targets 1\\u000d'): the list must begin with the line 'inuse-targets 1'",
                refusal("inuse-targets 1\r\nTargetDll\tSystem\t\tMAPI32.DLL\r\n"));
    }

    @Test
    void anUnknownFolderIsRefusedWithTheKnownOnes() {
        assertEquals("target list, line 2 ('TargetDll | System32 |  | MAPI32.DLL'): 'System32' is not a known folder of inuse:"
                + " use one of System, SystemX86, Windows, ProgramFiles, ProgramFilesX86, ProgramFilesCommon, ProgramData",
                refusal("inuse-targets 1\nTargetDll\tSystem32\t\tMAPI32.DLL\n"));
        assertTrue(refusal("inuse-targets 1\nTargetDll\tsystem\t\tMAPI32.DLL\n").contains("'system' is not a known folder"));
    }

    @Test
    void anEmptyListIsRefused() {
        assertEquals("target list: it names no target, so the package would replace nothing", refusal("inuse-targets 1\n"));
        assertEquals("target list: it names no target, so the package would replace nothing", refusal("inuse-targets 1"));
        assertTrue(refusal("").startsWith("target list, line 1 (''): the list must begin"));
    }

    @Test
    void twoTargetsMayNotShareAFileRowOrAPath() {
        assertEquals("target list, line 3 ('TargetDll | System |  | B.DLL'): the File row TargetDll already carries the target of line 2",
                refusal("inuse-targets 1\nTargetDll\tSystem\t\tA.DLL\nTargetDll\tSystem\t\tB.DLL\n"));
        assertEquals("target list, line 3 ('Other | System |  | mapi32.dll'): [System]\\mapi32.dll is already the target of line 2",
                refusal("inuse-targets 1\nTargetDll\tSystem\t\tMAPI32.DLL\nOther\tSystem\t\tmapi32.dll\n"));
    }

    @Test
    void aMissingResourceIsRefused() {
        // the installer module's own class path has no target list: the build puts it into inuse-targets.jar
        String message = assertThrows(IllegalStateException.class, () -> BuiltInTargets.load()).getMessage();
        assertEquals("the package's target list (io/inuse/engine/detect/targets.txt) is not on the engine's class path: the broker"
                + " starts the engine with inuse-targets.jar beside inuse-engine.jar", message);
        assertTrue(assertThrows(IllegalStateException.class, () -> BuiltInTargets.load("no-such.txt")).getMessage()
                .contains("io/inuse/engine/detect/no-such.txt"));
    }
}
