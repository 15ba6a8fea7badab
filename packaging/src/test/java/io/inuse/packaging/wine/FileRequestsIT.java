package io.inuse.packaging.wine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.inuse.packaging.wine.engines.FileRequests;
import io.inuse.pe.PeReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The file, registry and security requests of the broker protocol (FILE_READ .. PATH_REMOTE, ops
 * 22..33) inside Wine's msiexec, asked by a test engine through BrokerMachine ({@link FileRequests}),
 * which logs every answer. The test prepares C:\inuse-files and a drive N: of type network, then
 * asserts each answer in the log and what is left on disk.
 */
class FileRequestsIT {
    private static final String LINE = "inuse: InuseProbe: files ";
    private static final String DIR = "C:\\inuse-files";
    private static final String KNOWN = "inuse known file\n";
    private static WineTestBed bed;

    @BeforeAll
    static void prepare() throws Exception {
        bed = WineTestBed.get();
    }

    @Test
    void everyFileRequestAnswersAsWindowsSays() throws Exception {
        long start = System.nanoTime();
        Path engine = bed.runtimes.runningTestEngine("file-requests", FileRequests.class);
        String scenario = "file-requests";
        bed.scenario(scenario, wine -> {
            Path dir = wine.root().resolve("drive_c/inuse-files");
            Files.createDirectories(dir.resolve("linked-folder"));
            Files.writeString(dir.resolve("known.txt"), KNOWN);
            Files.writeString(dir.resolve("delete-me.txt"), "scheduled for deletion, never deleted\n");
            Files.writeString(dir.resolve("linked-folder/inside.txt"), "must survive\n");
            Files.createSymbolicLink(dir.resolve("folder-link"), dir.resolve("linked-folder"));
            networkDrive(wine);
            byte[] mapi = Files.readAllBytes(WinePrefix.findIgnoringCase(wine.root().resolve("drive_c/windows/system32"), "mapi32.dll").orElseThrow());
            String mapiVersion = String.valueOf(PeReader.read("mapi32.dll", mapi).fileVersion().orElse(null));

            ActionRun run = ActionRun.install(bed, wine, scenario, bed.probes, ActionRun.javaHome(engine));
            assertEquals(0, run.exit(), "the install with the file requests: " + run.logFile());
            run.bothActionsRan(bed, "INUSE_JAVA_HOME");

            // reading: the bytes and version of Wine's own MAPI32.DLL (InstallFiles has not run yet), hashes
            String dll = FileRequests.DLL;
            run.contains(LINE + "read " + dll + " = " + mapi.length + " bytes, sha256 " + sha256(mapi) + ", FileVersion " + mapiVersion);
            run.contains(LINE + "info " + dll + " = FileInfo[size=" + mapi.length + ", sha256=" + sha256(mapi) + ", attributes=");
            byte[] known = KNOWN.getBytes(StandardCharsets.UTF_8);
            run.contains(LINE + "info " + DIR + "\\known.txt = FileInfo[size=" + known.length + ", sha256=" + sha256(known) + ", attributes=");
            run.contains(LINE + "info C:\\windows = FileInfo[size=0, sha256=null, attributes=16]");
            run.contains(LINE + "read " + DIR + "\\known.txt = [inuse known file\\n]");
            run.contains(LINE + "read known.txt at most 4 bytes: refused: 223 GetFileSizeEx: FILE_READ failed: GetFileSizeEx returned error 223 "
                    + "(the file is " + known.length + " bytes, more than the 4 asked for)");
            run.contains(LINE + "read an absent file: refused: 2 CreateFileW");
            run.contains(LINE + "info of an absent folder's file: refused: 3 CreateFileW");

            // copy, move now
            run.contains(LINE + "copy known.txt to copy.txt: ok; info = FileInfo[size=" + known.length + ", sha256=" + sha256(known));
            run.contains(LINE + "copy onto copy.txt failing if it exists: refused: 80 CopyFileW");
            run.contains(LINE + "copy of an absent file: refused: 2 CopyFileW");
            run.contains(LINE + "move copy.txt to moved.txt: ok; copy.txt absent (2), moved.txt exists");
            run.contains(LINE + "move onto an existing file without replace: refused: 183 MoveFileExW");

            // delayed: PendingFileRenameOperations exactly as Wine's MoveFileExW wrote it, then our entries removed
            String moveEntry = "\\??\\" + DIR + "\\moved.txt\0!\\??\\" + DIR + "\\target.txt\0";
            String deleteEntry = "\\??\\" + DIR + "\\delete-me.txt\0\0";
            run.contains(LINE + "pending before = absent");
            run.contains(LINE + "pending after the delayed move = type 7 hex " + utf16(moveEntry + "\0"));
            run.contains(LINE + "pending after the delayed delete = type 7 hex " + utf16(moveEntry + deleteEntry + "\0"));
            run.contains(LINE + "moved.txt still exists, target.txt absent (2)");
            run.contains(LINE + "pending written back without the delete = type 7 hex " + utf16(moveEntry + "\0"));
            run.contains(LINE + "pending deleted: true; again: false; now absent");
            String odd = utf16("a\0\0b\0\0");
            run.contains(LINE + "HKCU multi written " + odd + ", read type 7 hex " + odd);
            run.contains(LINE + "HKCU default value = type 4 hex 01020304");
            run.contains(LINE + "HKCU absent key = absent; delete of it: false");

            // delete, write
            run.contains(LINE + "delete moved.txt: ok; now absent (2)");
            run.contains(LINE + "delete moved.txt again: refused: 2 DeleteFileW");
            run.contains(LINE + "delete a folder: refused: 336 protocol: FILE_DELETE failed: protocol returned error 336 "
                    + "(FILE_DELETE deletes files only: the path is a folder; nothing was deleted)");
            run.contains(LINE + "delete a link to a folder: refused: 336 protocol: FILE_DELETE failed: protocol returned error 336 "
                    + "(FILE_DELETE deletes files only: the path is a link to a folder; nothing was deleted)");
            run.contains(LINE + "write journal create-new: ok; read [first]");
            run.contains(LINE + "write journal create-new again: refused: 183 MoveFileExW");
            run.contains(LINE + "write journal replace: ok; read [second]");
            run.contains(LINE + "write empty.bin: FileInfo[size=0, sha256=" + sha256(new byte[0]));
            run.contains(LINE + "write into an absent folder: refused: 3 CreateFileW");

            // security, Windows Resource Protection, remote paths
            run.contains(LINE + "secure folder new = SecureFolder[state=CREATED, sddl=");
            run.contains("reason=created with O:BAD:PAI(A;OICI;FA;;;BA)(A;OICI;FA;;;SY), but this platform (Wine) keeps no DACL, "
                    + "so its owner and DACL cannot be verified: ");
            run.contains(LINE + "secure folder again = SecureFolder[state=CANNOT_ANSWER, sddl=");
            run.contains(LINE + "secure folder exists exists");
            run.contains(LINE + "secure folder under an absent parent: refused: 3 CreateDirectoryW");
            run.contains(LINE + "secure folder on a file: refused: 267 GetFileAttributesW");
            run.contains(LINE + "check installed folder = SecureFolder[state=CANNOT_ANSWER, sddl=");
            run.contains(LINE + "check installed file = SecureFolder[state=CANNOT_ANSWER, sddl=");
            run.contains("reason=this platform (Wine) keeps no DACL, so its owner and DACL cannot be verified: ");
            run.contains(LINE + "check installed absent: refused: 2 GetFileAttributesW");
            run.contains(LINE + "sfc " + dll + " = false; kernel32 = false");
            for (String unc : List.of("\\\\server\\share\\a.dll", "\\\\?\\UNC\\server\\share\\a.dll", "\\??\\UNC\\server\\share\\a.dll")) {
                run.contains(LINE + "remote " + unc + " = PathLocation[remote=true, driveType=-1, root=UNC]");
            }
            for (String n : List.of("N:\\a.dll", "n:/a.dll", "\\\\?\\N:\\a.dll")) {
                run.contains(LINE + "remote " + n + " = PathLocation[remote=true, driveType=4, root=");
            }
            run.contains(LINE + "remote C:\\windows = PathLocation[remote=false, driveType=3, root=C:\\]");
            run.contains("inuse: InuseProbeDeferred: files deferred info " + DIR + "\\known.txt = FileInfo[size=" + known.length
                    + ", sha256=" + sha256(known) + ", attributes=");
            run.contains("; remote N: = PathLocation[remote=true, driveType=4, root=N:\\]");

            // bad arguments: 87 from the broker, naming what was expected
            for (String bad : List.of("FILE_READ max 0", "FILE_READ max 16 MiB", "FILE_READ empty path", "FILE_INFO integer", "FILE_COPY flag 2",
                    "FILE_MOVE COPY_ALLOWED", "FILE_MOVE CREATE_HARDLINK", "FILE_MOVE null without DELAY", "FILE_DELETE two paths",
                    "FILE_WRITE mode 3", "FILE_WRITE 1 MiB + 1", "FILE_WRITE string data", "SECURE_FOLDER integer", "CHECK_INSTALLED two paths", "REG_READ root HKCR",
                    "REG_READ key with a leading backslash", "REG_WRITE DWORD of 3 bytes", "REG_WRITE type 5", "REG_WRITE odd REG_SZ",
                    "REG_DELETE_VALUE two arguments", "SFC_PROTECTED empty path", "PATH_REMOTE relative", "PATH_REMOTE device")) {
                run.contains(LINE + "bad " + bad + ": refused: 87 protocol: ");
                assertTrue(run.log().lines().anyMatch(l -> l.contains(LINE + "bad " + bad + ": refused: 87 protocol: ") && l.contains("wrong arguments: expected (")),
                        "the refusal of " + bad + " says what was expected, in " + run.logFile());
            }
            run.contains(LINE + "bad FILE_MOVE COPY_ALLOWED with DELAY: refused: 87 protocol: FILE_MOVE failed: protocol returned error 87 "
                    + "(MOVEFILE_COPY_ALLOWED cannot be combined with MOVEFILE_DELAY_UNTIL_REBOOT");

            // on disk: nothing moved before a reboot, the link's folder kept, no temporary file left
            assertEquals(KNOWN, Files.readString(dir.resolve("known.txt")));
            assertTrue(Files.exists(dir.resolve("delete-me.txt")) && Files.exists(dir.resolve("linked-folder/inside.txt")));
            assertTrue(Files.isSymbolicLink(dir.resolve("folder-link")), "the link to a folder is still there");
            assertEquals("second", Files.readString(dir.resolve("journal.bin")));
            assertTrue(Files.isDirectory(dir.resolve("secure")));
            try (Stream<Path> files = Files.list(dir)) {
                assertEquals(List.of(), files.filter(p -> p.getFileName().toString().endsWith(".tmp")).toList(), "temporary files left");
            }
            System.out.printf("FILE REQUESTS: PASS exit 0; MAPI32.DLL %d bytes, FileVersion %s; PendingFileRenameOperations as Wine wrote it %s; N: DRIVE_REMOTE (%.1f s)%n",
                    mapi.length, mapiVersion, (moveEntry + "\0").replace("\0", "\\0"), (System.nanoTime() - start) / 1e9);
        });
    }

    /**
     * N: as a drive of Wine's type "network" (HKLM\Software\Wine\Drives "n:", WINE-TESTBED.md), a link
     * in dosdevices to a folder. mountmgr reads the type when a session starts, and a value set with
     * "wine reg add" was not there after a reboot (the persistent wineserver is killed, and what it
     * had not saved yet is gone): so the value goes into system.reg while no wineserver runs, before
     * the scenario's first Windows process.
     */
    private static void networkDrive(WinePrefix wine) throws Exception {
        Path share = wine.root().resolve("network-share");
        Files.createDirectories(share);
        Files.createSymbolicLink(wine.root().resolve("dosdevices/n:"), share);
        wine.driveTypeNetwork('n');
    }

    private static String utf16(String text) {
        return HexFormat.of().formatHex(text.getBytes(StandardCharsets.UTF_16LE));
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
