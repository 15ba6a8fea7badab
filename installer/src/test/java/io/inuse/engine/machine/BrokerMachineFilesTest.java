package io.inuse.engine.machine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inuse.engine.protocol.Frame;
import io.inuse.engine.protocol.Ops;
import io.inuse.engine.session.SessionException;
import java.io.IOException;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * BrokerMachine's file, registry and security requests (FILE_READ .. PATH_REMOTE) against canned
 * broker replies: what each sends, what it makes of a well-formed reply, and that any other shape
 * is a SessionException.
 */
class BrokerMachineFilesTest extends CannedBroker {
    private static final String DLL = "C:\\Windows\\system32\\MAPI32.DLL";
    private static final String KEY = "SYSTEM\\CurrentControlSet\\Control\\Session Manager";
    @Test
    void readFile() throws IOException {
        byte[] bytes = {'M', 'Z', 0, (byte) 0x90};
        assertArrayEquals(bytes, answer(m -> m.readFile(DLL, 4096), (Object) bytes));
        sentWas(Ops.FILE_READ, DLL, 4096L);
        badShape(m -> m.readFile(DLL, 4096), "MZ");
        badShape(m -> m.readFile(DLL, 4096));
        badShape(m -> m.readFile(DLL, 2), (Object) bytes);
    }

    @Test
    void tooLargeCarriesTheErrorAndTheSize() {
        SessionException e = assertThrows(SessionException.class, () -> reply(m -> m.readFile(DLL, 10),
                Frame.reply(1, 223, "GetFileSizeEx", "the file is 4096 bytes, more than the 10 asked for", List.of())));
        assertEquals(223, e.win32Error());
        assertEquals("GetFileSizeEx", e.api());
        assertTrue(e.getMessage().contains("4096 bytes"), e.getMessage());
    }

    @Test
    void fileInfo() throws IOException {
        byte[] hash = new byte[32];
        hash[0] = (byte) 0xab;
        hash[31] = 1;
        FileInfo info = answer(m -> m.fileInfo(DLL), 4096L, hash, 0x20L);
        assertEquals(new FileInfo(4096, "ab" + "00".repeat(30) + "01", 0x20), info);
        assertFalse(info.folder());
        sentWas(Ops.FILE_INFO, DLL);
        FileInfo folder = answer(m -> m.fileInfo("C:\\Windows"), 0L, null, 0x10L);
        assertTrue(folder.folder());
        assertNull(folder.sha256());
        badShape(m -> m.fileInfo(DLL), 4096L, new byte[31], 0x20L);
        badShape(m -> m.fileInfo(DLL), 4096L, null, 0x20L);
        badShape(m -> m.fileInfo(DLL), 0L, hash, 0x10L);
        badShape(m -> m.fileInfo(DLL), -1L, hash, 0x20L);
        badShape(m -> m.fileInfo(DLL), 4096L, hash);
    }

    @Test
    void copyMoveDeleteWrite() throws IOException {
        answer(run(m -> m.copyFile("C:\\a", "C:\\b", true)));
        sentWas(Ops.FILE_COPY, "C:\\a", "C:\\b", 1L);
        answer(run(m -> m.moveFile("C:\\a", "C:\\b", Machine.MOVEFILE_REPLACE_EXISTING | Machine.MOVEFILE_DELAY_UNTIL_REBOOT)));
        sentWas(Ops.FILE_MOVE, "C:\\a", "C:\\b", 5L);
        answer(run(m -> m.moveFile("C:\\a", null, Machine.MOVEFILE_DELAY_UNTIL_REBOOT)));
        sentWas(Ops.FILE_MOVE, "C:\\a", null, 4L);
        answer(run(m -> m.deleteFile("C:\\a")));
        sentWas(Ops.FILE_DELETE, "C:\\a");
        byte[] journal = {1, 2, 3};
        answer(run(m -> m.writeFile("C:\\j", journal, WriteMode.CREATE_NEW)));
        sentWas(Ops.FILE_WRITE, "C:\\j", journal, 1L);
        answer(run(m -> m.writeFile("C:\\j", journal, WriteMode.REPLACE)));
        sentWas(Ops.FILE_WRITE, "C:\\j", journal, 2L);
        badShape(run(m -> m.copyFile("C:\\a", "C:\\b", false)), 0L);
        badShape(run(m -> m.moveFile("C:\\a", "C:\\b", 0)), "moved");
        badShape(run(m -> m.deleteFile("C:\\a")), (Object) null);
        badShape(run(m -> m.writeFile("C:\\j", journal, WriteMode.REPLACE)), 3L);
    }

    @Test
    void secureFolder() throws IOException {
        SecureFolder created = answer(m -> m.secureFolder("C:\\ProgramData\\inuse"), 1L, SecureFolder.SDDL, "");
        assertEquals(new SecureFolder(SecureFolder.State.CREATED, SecureFolder.SDDL, ""), created);
        sentWas(Ops.SECURE_FOLDER, "C:\\ProgramData\\inuse");
        assertEquals(SecureFolder.State.EXISTED_SECURE, answer(m -> m.secureFolder("C:\\x"), 2L, "O:BA", "").state());
        assertEquals(SecureFolder.State.NOT_SECURE, answer(m -> m.secureFolder("C:\\x"), 3L, "O:BU", "Users may").state());
        assertEquals(SecureFolder.State.CANNOT_ANSWER, answer(m -> m.secureFolder("C:\\x"), 4L, "O:S-1-5-21", "Wine").state());
        badShape(m -> m.secureFolder("C:\\x"), 0L, "", "");
        badShape(m -> m.secureFolder("C:\\x"), 5L, "", "");
        badShape(m -> m.secureFolder("C:\\x"), 1L, "");
        badShape(m -> m.secureFolder("C:\\x"), 1L, null, "");
    }

    @Test
    void registry() throws IOException {
        byte[] multi = {'a', 0, 0, 0, 0, 0};
        assertEquals(Optional.of(new RegValue(RegValue.REG_MULTI_SZ, multi)),
                answer(m -> m.regRead(RegRoot.HKLM, KEY, "PendingFileRenameOperations"), 7L, multi));
        sentWas(Ops.REG_READ, "HKLM", KEY, "PendingFileRenameOperations");
        assertEquals(Optional.empty(), answer(m -> m.regRead(RegRoot.HKCU, "Software\\x", ""), (Object) null));
        sentWas(Ops.REG_READ, "HKCU", "Software\\x", "");
        badShape(m -> m.regRead(RegRoot.HKLM, KEY, "v"));
        badShape(m -> m.regRead(RegRoot.HKLM, KEY, "v"), 7L);
        badShape(m -> m.regRead(RegRoot.HKLM, KEY, "v"), 7L, "a");
        badShape(m -> m.regRead(RegRoot.HKLM, KEY, "v"), -1L, multi);

        answer(run(m -> m.regWrite(RegRoot.HKLM, KEY, "v", new RegValue(RegValue.REG_MULTI_SZ, multi))));
        sentWas(Ops.REG_WRITE, "HKLM", KEY, "v", 7L, multi);
        badShape(run(m -> m.regWrite(RegRoot.HKLM, KEY, "v", new RegValue(RegValue.REG_DWORD, new byte[4]))), 1L);

        assertEquals(Boolean.TRUE, answer(m -> m.regDeleteValue(RegRoot.HKLM, KEY, "v"), 1L));
        sentWas(Ops.REG_DELETE_VALUE, "HKLM", KEY, "v");
        assertEquals(Boolean.FALSE, answer(m -> m.regDeleteValue(RegRoot.HKLM, KEY, "v"), 0L));
        badShape(m -> m.regDeleteValue(RegRoot.HKLM, KEY, "v"), 2L);
        badShape(m -> m.regDeleteValue(RegRoot.HKLM, KEY, "v"));
    }

    @Test
    void sfcAndRemote() throws IOException {
        assertEquals(Boolean.FALSE, answer(m -> m.sfcProtected(DLL), 0L));
        sentWas(Ops.SFC_PROTECTED, DLL);
        assertEquals(Boolean.TRUE, answer(m -> m.sfcProtected(DLL), 1L));
        badShape(m -> m.sfcProtected(DLL), "no");

        assertEquals(new PathLocation(true, PathLocation.NOT_ASKED, "UNC"), answer(m -> m.pathLocation("\\\\srv\\share\\a.dll"), 1L, null, "UNC"));
        sentWas(Ops.PATH_REMOTE, "\\\\srv\\share\\a.dll");
        PathLocation n = answer(m -> m.pathLocation("N:\\a.dll"), 1L, 4L, "N:\\");
        assertEquals(new PathLocation(true, PathLocation.DRIVE_REMOTE, "N:\\"), n);
        assertFalse(n.unc());
        assertEquals(new PathLocation(false, 3, "C:\\"), answer(m -> m.pathLocation(DLL), 0L, 3L, "C:\\"));
        badShape(m -> m.pathLocation(DLL), 0L, null, "UNC");
        badShape(m -> m.pathLocation(DLL), 1L, null, "C:\\");
        badShape(m -> m.pathLocation(DLL), 2L, 3L, "C:\\");
        badShape(m -> m.pathLocation(DLL), 0L, 3L);
    }

    @Test
    void everyNewOpHasItsName() {
        assertEquals(List.of("FILE_READ", "FILE_INFO", "FILE_COPY", "FILE_MOVE", "FILE_DELETE", "FILE_WRITE", "SECURE_FOLDER", "REG_READ",
                "REG_WRITE", "REG_DELETE_VALUE", "SFC_PROTECTED", "PATH_REMOTE"),
                java.util.stream.IntStream.rangeClosed(22, 33).mapToObj(Ops::name).toList());
    }
}
