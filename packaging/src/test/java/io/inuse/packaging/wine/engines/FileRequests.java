package io.inuse.packaging.wine.engines;

import io.inuse.engine.Main;
import io.inuse.engine.actions.Probe;
import io.inuse.engine.actions.ProbeDeferred;
import io.inuse.engine.machine.BrokerMachine;
import io.inuse.engine.machine.Machine;
import io.inuse.engine.machine.RegRoot;
import io.inuse.engine.machine.RegValue;
import io.inuse.engine.machine.WriteMode;
import io.inuse.engine.protocol.Ops;
import io.inuse.engine.session.BrokerSession;
import io.inuse.engine.session.Session;
import io.inuse.engine.session.SessionException;
import io.inuse.pe.PeReader;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * A test engine for FileRequestsIT: in the immediate action, asks every file, registry and security
 * request of the broker (docs/protocol.md, ops 22..33) through BrokerMachine and logs each answer,
 * one line each ("files ..."); bad arguments are sent raw and their refusals logged. It works in
 * C:\inuse-files, which the test prepares (known.txt, delete-me.txt, folder-link: a link to
 * linked-folder), and on N:, a drive the test configured as type network; only in InuseProbe, the
 * package's InuseDetect gets the plain probe. The deferred action asks
 * two requests too (Windows does not restrict them there). Then the real probes, so the install
 * succeeds.
 */
public final class FileRequests {
    public static final String DLL = "C:\\windows\\system32\\MAPI32.DLL";
    static final String DIR = "C:\\inuse-files";
    static final String SESSION_MANAGER = "SYSTEM\\CurrentControlSet\\Control\\Session Manager";
    static final String PENDING = "PendingFileRenameOperations";

    private FileRequests() {
    }

    public static void main(String[] args) {
        boolean deferred = args[args.length - 1].equals(Probe.DEFERRED);
        System.exit(Main.serve(session -> {
            Machine machine = new BrokerMachine((BrokerSession) session);
            if (deferred) {
                session.log("files deferred info " + DIR + "\\known.txt = " + machine.fileInfo(DIR + "\\known.txt")
                        + "; remote N: = " + machine.pathLocation("N:\\x.dll"));
                new ProbeDeferred().run(session);
                return;
            }
            if (!session.actionName().equals("InuseProbe")) {
                // the package's own immediate action (InuseDetect) runs this engine too: it asks nothing of it
                new Probe().run(session);
                return;
            }
            BrokerSession raw = (BrokerSession) session;
            reading(session, machine);
            copyingAndMoving(session, machine);
            pendingRenames(session, machine);
            deletingAndWriting(session, machine);
            securityAndLocation(session, machine);
            badArguments(session, raw);
            new Probe().run(session);
        }, System.in, new FileOutputStream(FileDescriptor.out), System.err));
    }

    private static void reading(Session session, Machine machine) {
        byte[] dll = machine.readFile(DLL, Machine.FILE_READ_MAX);
        String version;
        try {
            version = String.valueOf(PeReader.read(DLL, dll).fileVersion().orElse(null));
        } catch (java.io.IOException e) {
            version = "unreadable: " + e.getMessage();
        }
        session.log("files read " + DLL + " = " + dll.length + " bytes, sha256 " + sha256(dll) + ", FileVersion " + version);
        session.log("files info " + DLL + " = " + machine.fileInfo(DLL));
        session.log("files info " + DIR + "\\known.txt = " + machine.fileInfo(DIR + "\\known.txt"));
        session.log("files info C:\\windows = " + machine.fileInfo("C:\\windows"));
        session.log("files read " + DIR + "\\known.txt = [" + new String(machine.readFile(DIR + "\\known.txt", 100), StandardCharsets.UTF_8)
                .replace("\n", "\\n") + "]");
        attempt(session, "read known.txt at most 4 bytes", () -> machine.readFile(DIR + "\\known.txt", 4));
        attempt(session, "read an absent file", () -> machine.readFile(DIR + "\\absent.txt", 100));
        attempt(session, "info of an absent folder's file", () -> machine.fileInfo("C:\\no-such-folder\\x"));
    }

    private static void copyingAndMoving(Session session, Machine machine) {
        machine.copyFile(DIR + "\\known.txt", DIR + "\\copy.txt", true);
        session.log("files copy known.txt to copy.txt: ok; info = " + machine.fileInfo(DIR + "\\copy.txt"));
        attempt(session, "copy onto copy.txt failing if it exists", () -> run(() -> machine.copyFile(DIR + "\\known.txt", DIR + "\\copy.txt", true)));
        attempt(session, "copy of an absent file", () -> run(() -> machine.copyFile(DIR + "\\absent.txt", DIR + "\\x.txt", false)));
        machine.moveFile(DIR + "\\copy.txt", DIR + "\\moved.txt", 0);
        session.log("files move copy.txt to moved.txt: ok; copy.txt " + exists(machine, DIR + "\\copy.txt") + ", moved.txt "
                + exists(machine, DIR + "\\moved.txt"));
        attempt(session, "move onto an existing file without replace", () -> run(() -> machine.moveFile(DIR + "\\moved.txt", DIR + "\\known.txt", 0)));
    }

    private static void pendingRenames(Session session, Machine machine) {
        session.log("files pending before = " + describe(machine.regRead(RegRoot.HKLM, SESSION_MANAGER, PENDING)));
        machine.moveFile(DIR + "\\moved.txt", DIR + "\\target.txt", Machine.MOVEFILE_DELAY_UNTIL_REBOOT | Machine.MOVEFILE_REPLACE_EXISTING);
        RegValue first = machine.regRead(RegRoot.HKLM, SESSION_MANAGER, PENDING).orElseThrow();
        session.log("files pending after the delayed move = " + describe(Optional.of(first)));
        machine.moveFile(DIR + "\\delete-me.txt", null, Machine.MOVEFILE_DELAY_UNTIL_REBOOT);
        session.log("files pending after the delayed delete = " + describe(machine.regRead(RegRoot.HKLM, SESSION_MANAGER, PENDING)));
        session.log("files moved.txt still " + exists(machine, DIR + "\\moved.txt") + ", target.txt " + exists(machine, DIR + "\\target.txt"));
        machine.regWrite(RegRoot.HKLM, SESSION_MANAGER, PENDING, first);
        session.log("files pending written back without the delete = " + describe(machine.regRead(RegRoot.HKLM, SESSION_MANAGER, PENDING)));
        session.log("files pending deleted: " + machine.regDeleteValue(RegRoot.HKLM, SESSION_MANAGER, PENDING) + "; again: "
                + machine.regDeleteValue(RegRoot.HKLM, SESSION_MANAGER, PENDING) + "; now " + describe(machine.regRead(RegRoot.HKLM, SESSION_MANAGER, PENDING)));
        byte[] odd = "a\0\0b\0\0".getBytes(StandardCharsets.UTF_16LE);
        machine.regWrite(RegRoot.HKCU, "Software\\inuse-test\\sub", "multi", new RegValue(RegValue.REG_MULTI_SZ, odd));
        session.log("files HKCU multi written " + HexFormat.of().formatHex(odd) + ", read " + describe(machine.regRead(RegRoot.HKCU, "Software\\inuse-test\\sub", "multi")));
        machine.regWrite(RegRoot.HKCU, "Software\\inuse-test\\sub", "", new RegValue(RegValue.REG_DWORD, new byte[] {1, 2, 3, 4}));
        session.log("files HKCU default value = " + describe(machine.regRead(RegRoot.HKCU, "Software\\inuse-test\\sub", "")));
        session.log("files HKCU absent key = " + describe(machine.regRead(RegRoot.HKCU, "Software\\inuse-test\\none", "multi"))
                + "; delete of it: " + machine.regDeleteValue(RegRoot.HKCU, "Software\\inuse-test\\none", "multi"));
    }

    private static void deletingAndWriting(Session session, Machine machine) {
        machine.deleteFile(DIR + "\\moved.txt");
        session.log("files delete moved.txt: ok; now " + exists(machine, DIR + "\\moved.txt"));
        attempt(session, "delete moved.txt again", () -> run(() -> machine.deleteFile(DIR + "\\moved.txt")));
        attempt(session, "delete a folder", () -> run(() -> machine.deleteFile(DIR + "\\linked-folder")));
        attempt(session, "delete a link to a folder", () -> run(() -> machine.deleteFile(DIR + "\\folder-link")));
        String journal = DIR + "\\journal.bin";
        machine.writeFile(journal, "first".getBytes(StandardCharsets.UTF_8), WriteMode.CREATE_NEW);
        session.log("files write journal create-new: ok; read [" + new String(machine.readFile(journal, 100), StandardCharsets.UTF_8) + "]");
        attempt(session, "write journal create-new again", () -> run(() -> machine.writeFile(journal, new byte[] {1}, WriteMode.CREATE_NEW)));
        machine.writeFile(journal, "second".getBytes(StandardCharsets.UTF_8), WriteMode.REPLACE);
        session.log("files write journal replace: ok; read [" + new String(machine.readFile(journal, 100), StandardCharsets.UTF_8) + "]");
        machine.writeFile(DIR + "\\empty.bin", new byte[0], WriteMode.REPLACE);
        session.log("files write empty.bin: " + machine.fileInfo(DIR + "\\empty.bin"));
        attempt(session, "write into an absent folder", () -> run(() -> machine.writeFile("C:\\no-such-folder\\j", new byte[] {1}, WriteMode.REPLACE)));
    }

    private static void securityAndLocation(Session session, Machine machine) {
        session.log("files secure folder new = " + machine.secureFolder(DIR + "\\secure"));
        session.log("files secure folder again = " + machine.secureFolder(DIR + "\\secure"));
        session.log("files secure folder exists " + exists(machine, DIR + "\\secure"));
        attempt(session, "secure folder under an absent parent", () -> machine.secureFolder(DIR + "\\no-such\\secure"));
        attempt(session, "secure folder on a file", () -> machine.secureFolder(DIR + "\\known.txt"));
        session.log("files check installed folder = " + machine.checkInstalled(DIR));
        session.log("files check installed file = " + machine.checkInstalled(DIR + "\\known.txt"));
        attempt(session, "check installed absent", () -> machine.checkInstalled(DIR + "\\no-such"));
        session.log("files sfc " + DLL + " = " + machine.sfcProtected(DLL) + "; kernel32 = " + machine.sfcProtected("C:\\windows\\system32\\kernel32.dll"));
        for (String path : List.of("\\\\server\\share\\a.dll", "\\\\?\\UNC\\server\\share\\a.dll", "\\??\\UNC\\server\\share\\a.dll",
                "N:\\a.dll", "n:/a.dll", "\\\\?\\N:\\a.dll", "C:\\windows", "Z:\\")) {
            session.log("files remote " + path + " = " + machine.pathLocation(path));
        }
    }

    private static void badArguments(Session session, BrokerSession raw) {
        String known = DIR + "\\known.txt";
        attempt(session, "bad FILE_READ max 0", () -> raw.request(Ops.FILE_READ, known, 0L));
        attempt(session, "bad FILE_READ max 16 MiB", () -> raw.request(Ops.FILE_READ, known, 16L * 1024 * 1024));
        attempt(session, "bad FILE_READ empty path", () -> raw.request(Ops.FILE_READ, "", 10L));
        attempt(session, "bad FILE_INFO integer", () -> raw.request(Ops.FILE_INFO, 1L));
        attempt(session, "bad FILE_COPY flag 2", () -> raw.request(Ops.FILE_COPY, known, DIR + "\\c.txt", 2L));
        attempt(session, "bad FILE_MOVE COPY_ALLOWED", () -> raw.request(Ops.FILE_MOVE, known, DIR + "\\m.txt", 2L));
        attempt(session, "bad FILE_MOVE COPY_ALLOWED with DELAY", () -> raw.request(Ops.FILE_MOVE, known, DIR + "\\m.txt", 6L));
        attempt(session, "bad FILE_MOVE CREATE_HARDLINK", () -> raw.request(Ops.FILE_MOVE, known, DIR + "\\m.txt", 0x10L));
        attempt(session, "bad FILE_MOVE null without DELAY", () -> raw.request(Ops.FILE_MOVE, known, null, 1L));
        attempt(session, "bad FILE_DELETE two paths", () -> raw.request(Ops.FILE_DELETE, known, known));
        attempt(session, "bad FILE_WRITE mode 3", () -> raw.request(Ops.FILE_WRITE, DIR + "\\w.bin", new byte[1], 3L));
        attempt(session, "bad FILE_WRITE 1 MiB + 1", () -> raw.request(Ops.FILE_WRITE, DIR + "\\w.bin", new byte[1024 * 1024 + 1], 2L));
        attempt(session, "bad FILE_WRITE string data", () -> raw.request(Ops.FILE_WRITE, DIR + "\\w.bin", "x", 2L));
        attempt(session, "bad SECURE_FOLDER integer", () -> raw.request(Ops.SECURE_FOLDER, 1L));
        attempt(session, "bad CHECK_INSTALLED two paths", () -> raw.request(Ops.CHECK_INSTALLED, DIR, DIR));
        attempt(session, "bad REG_READ root HKCR", () -> raw.request(Ops.REG_READ, "HKCR", "Software", "x"));
        attempt(session, "bad REG_READ key with a leading backslash", () -> raw.request(Ops.REG_READ, "HKLM", "\\Software", "x"));
        attempt(session, "bad REG_WRITE DWORD of 3 bytes", () -> raw.request(Ops.REG_WRITE, "HKCU", "Software\\inuse-test", "d", 4L, new byte[3]));
        attempt(session, "bad REG_WRITE type 5", () -> raw.request(Ops.REG_WRITE, "HKCU", "Software\\inuse-test", "d", 5L, new byte[4]));
        attempt(session, "bad REG_WRITE odd REG_SZ", () -> raw.request(Ops.REG_WRITE, "HKCU", "Software\\inuse-test", "d", 1L, new byte[3]));
        attempt(session, "bad REG_DELETE_VALUE two arguments", () -> raw.request(Ops.REG_DELETE_VALUE, "HKCU", "Software\\inuse-test"));
        attempt(session, "bad SFC_PROTECTED empty path", () -> raw.request(Ops.SFC_PROTECTED, ""));
        attempt(session, "bad PATH_REMOTE relative", () -> raw.request(Ops.PATH_REMOTE, "a.dll"));
        attempt(session, "bad PATH_REMOTE device", () -> raw.request(Ops.PATH_REMOTE, "\\\\.\\PhysicalDrive0"));
    }

    private static String exists(Machine machine, String path) {
        try {
            machine.fileInfo(path);
            return "exists";
        } catch (SessionException e) {
            return "absent (" + e.win32Error() + ")";
        }
    }

    private static String describe(Optional<RegValue> value) {
        return value.isEmpty() ? "absent" : "type " + value.get().type() + " hex " + HexFormat.of().formatHex(value.get().data());
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Object run(Runnable call) {
        call.run();
        return "ok";
    }

    private static void attempt(Session session, String what, Supplier<Object> call) {
        try {
            Object result = call.get();
            session.log("files " + what + " = " + (result instanceof byte[] b ? b.length + " bytes" : result));
        } catch (SessionException e) {
            session.log("files " + what + ": refused: " + e.win32Error() + " " + e.api() + ": " + e.getMessage());
        }
    }
}
