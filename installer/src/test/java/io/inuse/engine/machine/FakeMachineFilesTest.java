package io.inuse.engine.machine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inuse.engine.session.SessionException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/**
 * The fake's file system, registry and PendingFileRenameOperations behave as Windows does where
 * the replacement's tests will depend on it: the Win32 errors of each refusal, identities that
 * follow a moved file, and the exact bytes of a delayed move.
 */
class FakeMachineFilesTest {
    private static final String DLL = "C:\\Windows\\system32\\MAPI32.DLL";
    private static final String NEW = "C:\\Windows\\system32\\MAPI32.DLL.new";
    private static final byte[] OLD_BYTES = "old".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NEW_BYTES = "new".getBytes(StandardCharsets.US_ASCII);
    private final FakeMachine machine = FakeMachine.standard().put(DLL, OLD_BYTES).put(NEW, NEW_BYTES);

    private static void fails(long code, String api, Executable call) {
        SessionException e = assertThrows(SessionException.class, call);
        assertEquals(code, e.win32Error(), e.getMessage());
        assertEquals(api, e.api(), e.getMessage());
    }

    @Test
    void readAndInfo() {
        assertArrayEquals(OLD_BYTES, machine.readFile("\\\\?\\c:\\windows\\SYSTEM32\\mapi32.dll", 3));
        fails(223, "GetFileSizeEx", () -> machine.readFile(DLL, 2));
        fails(2, "CreateFileW", () -> machine.readFile("C:\\Windows\\system32\\none.dll", 10));
        fails(3, "CreateFileW", () -> machine.readFile("C:\\nowhere\\none.dll", 10));
        fails(5, "CreateFileW", () -> machine.readFile("C:\\Windows", 10));
        // SHA-256("old"), as sha256sum prints it
        assertEquals(new FileInfo(3, "cba06b5736faf67e54b07b561eae94395e774c517a7d910a54369e1263ccfbd4", 0x20), machine.fileInfo(DLL));
        assertTrue(machine.fileInfo("C:\\Windows").folder());
    }

    @Test
    void copyRefusesAsWindowsDoes() {
        fails(80, "CopyFileW", () -> machine.copyFile(NEW, DLL, true));
        machine.lock(DLL);
        fails(32, "CopyFileW", () -> machine.copyFile(NEW, DLL, false));
        fails(2, "CopyFileW", () -> machine.copyFile("C:\\Windows\\none", "C:\\x", false));
        fails(3, "CopyFileW", () -> machine.copyFile(NEW, "C:\\nowhere\\x", false));
        machine.copyFile(DLL, "C:\\Windows\\backup.dll", true);
        assertArrayEquals(OLD_BYTES, machine.disk.bytes("C:\\Windows\\backup.dll").orElseThrow());
        assertFalse(machine.identify("C:\\Windows\\backup.dll").orElseThrow().sameFileAs(machine.identify(DLL).orElseThrow()));
    }

    @Test
    void aLoadedDllCanBeRenamedAwayButNotReplacedOrDeleted() {
        machine.lock(DLL);
        fails(5, "MoveFileExW", () -> machine.moveFile(NEW, DLL, Machine.MOVEFILE_REPLACE_EXISTING));
        fails(183, "MoveFileExW", () -> machine.moveFile(NEW, DLL, 0));
        fails(5, "DeleteFileW", () -> machine.deleteFile(DLL));
        FileIdentity before = machine.identify(DLL).orElseThrow();
        machine.moveFile(DLL, DLL + ".old", 0);
        assertTrue(machine.identify(DLL + ".old").orElseThrow().sameFileAs(before), "the identity moves with the file");
        assertEquals(Optional.empty(), machine.identify(DLL));
        machine.moveFile(NEW, DLL, Machine.MOVEFILE_REPLACE_EXISTING | Machine.MOVEFILE_WRITE_THROUGH);
        assertArrayEquals(NEW_BYTES, machine.readFile(DLL, 10));
        assertFalse(machine.disk.exists(NEW));
    }

    @Test
    void delayedMovesAreWrittenAsWindowsWritesThem() {
        machine.moveFile(NEW, DLL, Machine.MOVEFILE_REPLACE_EXISTING | Machine.MOVEFILE_DELAY_UNTIL_REBOOT);
        RegValue value = machine.regRead(RegRoot.HKLM, FakeRegistry.SESSION_MANAGER, FakeRegistry.PENDING).orElseThrow();
        assertEquals(RegValue.REG_MULTI_SZ, value.type());
        String expected = "\\??\\" + NEW + "\0!\\??\\" + DLL + "\0\0";
        assertArrayEquals(expected.getBytes(StandardCharsets.UTF_16LE), value.data());
        machine.moveFile("\\\\?\\" + DLL + ".old", null, Machine.MOVEFILE_DELAY_UNTIL_REBOOT);
        value = machine.regRead(RegRoot.HKLM, FakeRegistry.SESSION_MANAGER.toUpperCase(), FakeRegistry.PENDING.toLowerCase()).orElseThrow();
        assertArrayEquals((expected.substring(0, expected.length() - 1) + "\\??\\" + DLL + ".old\0\0\0").getBytes(StandardCharsets.UTF_16LE), value.data());
        assertEquals(List.of("\\??\\" + NEW, "!\\??\\" + DLL, "\\??\\" + DLL + ".old", "", ""), FakeRegistry.strings(value));
        assertArrayEquals(OLD_BYTES, machine.readFile(DLL, 10), "nothing moves before the reboot");
        fails(87, "protocol", () -> machine.moveFile(NEW, DLL, 0x2 | Machine.MOVEFILE_DELAY_UNTIL_REBOOT));
        fails(87, "protocol", () -> machine.moveFile(NEW, null, 0));
    }

    @Test
    void deleteAndWrite() {
        machine.disk.folder("C:\\ProgramData\\inuse");
        fails(336, "protocol", () -> machine.deleteFile("C:\\ProgramData\\inuse"));
        fails(2, "DeleteFileW", () -> machine.deleteFile("C:\\ProgramData\\none"));
        String journal = "C:\\ProgramData\\inuse\\journal";
        machine.writeFile(journal, OLD_BYTES, WriteMode.CREATE_NEW);
        fails(183, "MoveFileExW", () -> machine.writeFile(journal, NEW_BYTES, WriteMode.CREATE_NEW));
        assertArrayEquals(OLD_BYTES, machine.readFile(journal, 10), "create-new leaves the file as it was");
        machine.writeFile(journal, NEW_BYTES, WriteMode.REPLACE);
        assertArrayEquals(NEW_BYTES, machine.readFile(journal, 10));
        fails(3, "CreateFileW", () -> machine.writeFile("C:\\none\\journal", NEW_BYTES, WriteMode.REPLACE));
        fails(87, "protocol", () -> machine.writeFile(journal, new byte[Machine.FILE_WRITE_MAX + 1], WriteMode.REPLACE));
        machine.disk.readOnly(journal);
        fails(5, "DeleteFileW", () -> machine.deleteFile(journal));
    }

    @Test
    void registryAbsentIsAnAnswer() {
        assertEquals(Optional.empty(), machine.regRead(RegRoot.HKLM, "Software\\inuse", "x"));
        assertFalse(machine.regDeleteValue(RegRoot.HKLM, "Software\\inuse", "x"));
        RegValue dword = new RegValue(RegValue.REG_DWORD, new byte[] {1, 0, 0, 0});
        machine.regWrite(RegRoot.HKLM, "Software\\inuse", "x", dword);
        assertEquals(Optional.of(dword), machine.regRead(RegRoot.HKLM, "SOFTWARE\\INUSE", "X"));
        assertEquals(Optional.empty(), machine.regRead(RegRoot.HKCU, "Software\\inuse", "x"), "HKCU is another hive");
        assertTrue(machine.regDeleteValue(RegRoot.HKLM, "Software\\inuse", "x"));
        fails(87, "protocol", () -> machine.regWrite(RegRoot.HKLM, "Software\\inuse", "x", new RegValue(RegValue.REG_DWORD, new byte[3])));
        fails(87, "protocol", () -> machine.regWrite(RegRoot.HKLM, "Software\\inuse", "x", new RegValue(5, new byte[4])));
    }

    @Test
    void secureFoldersProtectedFilesAndRemotePaths() {
        machine.disk.folder("C:\\ProgramData");
        assertEquals(SecureFolder.State.CREATED, machine.secureFolder("C:\\ProgramData\\inuse").state());
        assertEquals(new SecureFolder(SecureFolder.State.EXISTED_SECURE, SecureFolder.SDDL, ""), machine.secureFolder("C:\\ProgramData\\inuse"));
        machine.disk.folder("C:\\Users\\Public\\x");
        SecureFolder open = machine.secureFolder("C:\\Users\\Public\\x");
        assertEquals(SecureFolder.State.NOT_SECURE, open.state());
        assertEquals(FakeDisk.USERS_SDDL, open.sddl());
        fails(3, "CreateDirectoryW", () -> machine.secureFolder("C:\\none\\inuse"));
        fails(267, "GetFileAttributesW", () -> machine.secureFolder(DLL));
        machine.disk.platformCannotAnswer = true;
        assertEquals(SecureFolder.State.CANNOT_ANSWER, machine.secureFolder("C:\\ProgramData\\inuse").state());

        assertFalse(machine.sfcProtected(DLL));
        machine.disk.protectedFiles.add(FakeDisk.key(DLL));
        assertTrue(machine.sfcProtected("\\\\?\\" + DLL.toLowerCase()));

        machine.disk.driveTypes.put('n', PathLocation.DRIVE_REMOTE);
        assertEquals(new PathLocation(true, PathLocation.DRIVE_REMOTE, "N:\\"), machine.pathLocation("n:\\share\\a.dll"));
        assertEquals(new PathLocation(false, PathLocation.DRIVE_FIXED, "C:\\"), machine.pathLocation(DLL));
        assertEquals(new PathLocation(false, PathLocation.DRIVE_NO_ROOT_DIR, "Q:\\"), machine.pathLocation("Q:\\x"));
        for (String unc : List.of("\\\\srv\\share\\a.dll", "//srv/share/a.dll", "\\\\?\\UNC\\srv\\share\\a.dll", "\\??\\UNC\\srv\\share")) {
            assertTrue(machine.pathLocation(unc).unc(), unc);
        }
        for (String bad : List.of("a.dll", "C:a.dll", "\\\\.\\PhysicalDrive0", "\\\\?\\Volume{x}\\a")) {
            fails(87, "protocol", () -> machine.pathLocation(bad));
        }
    }
}
