package io.inuse.engine.machine;

import java.util.List;
import java.util.Optional;

/**
 * The Windows primitives the engine may use, beside {@code Session} (the MSI): each one request of
 * the broker protocol (docs/protocol.md), answered by the broker's C with no decision in it. The
 * engine opens no file, process or registry key itself; it asks through this interface, which the
 * broker serves ({@code BrokerMachine}) and tests fake ({@code FakeMachine}). A failed call throws
 * {@code SessionException} with the Win32 error and the API's name.
 */
public interface Machine {
    /**
     * The path of a known folder, as {@code SHGetKnownFolderPath} gives it for
     * {@code FOLDERID_<name>}: one of {@link KnownFolder}'s names.
     */
    String knownFolder(KnownFolder folder);

    /**
     * What a path is: its long path and its identity (volume serial number and file index), so
     * that two spellings of one file (8.3 names, case, {@code \\?\} or {@code \??\} prefixes) compare
     * equal. Empty when nothing exists at the path.
     */
    Optional<FileIdentity> identify(String path);

    /** An open of the file with no sharing at all: whether anyone else has it open, and how. */
    OpenProbe openExclusive(String path);

    /**
     * Every process, with its image path, and the loaded modules whose file name (not path) is one
     * of {@code moduleNames}, compared without regard to case, in one round trip. A process that
     * cannot be opened or exits during the scan is in the list with the reason, never left out.
     */
    List<ProcessModules> processes(List<String> moduleNames);

    /** The running Win32 services, with the id of the process that hosts each. */
    List<Service> services();

    /**
     * The titles of the visible top-level windows without an owner of the given processes (at most
     * 1024), on the broker's desktop; windows with an empty title are left out.
     */
    List<WindowTitle> windowTitles(List<Long> pids);

    /** A new Restart Manager session ({@code RmStartSession}). */
    RmSession rmStart();

    /**
     * Joins the Restart Manager session of that key ({@code RmJoinSession}), Windows Installer's own
     * when {@code MsiRestartManagerSessionKey} is set. Under Wine 8 RmJoinSession aborts the calling
     * process: call this only when that property is set, which Wine never does (the broker refuses
     * it under Wine with 120 rather than call it).
     */
    RmSession rmJoin(String key);

    /** Registers files (full paths) and services (short names) with the session ({@code RmRegisterResources}). */
    void rmRegister(RmSession session, List<String> files, List<String> services);

    /** The processes using the session's registered resources ({@code RmGetList}). */
    RmList rmGetList(RmSession session);

    /** Ends the session ({@code RmEndSession}); the broker ends any still open when the action ends. */
    void rmEnd(RmSession session);

    /** FILE_MOVE's flags: the only ones the broker passes to MoveFileExW. */
    int MOVEFILE_REPLACE_EXISTING = 0x1;
    int MOVEFILE_DELAY_UNTIL_REBOOT = 0x4;
    int MOVEFILE_WRITE_THROUGH = 0x8;
    /** FILE_READ's largest answer: a reply is one frame of at most 16 MiB. */
    int FILE_READ_MAX = 15 * 1024 * 1024;
    /** FILE_WRITE's largest file. */
    int FILE_WRITE_MAX = 1024 * 1024;

    /**
     * All the bytes of a file, read with all sharing (a loaded DLL reads fine). A file larger than
     * {@code maxBytes} (1..{@link #FILE_READ_MAX}) throws with 223 ERROR_FILE_TOO_LARGE and its size
     * in the message; a missing one with 2 or 3.
     */
    byte[] readFile(String path, int maxBytes);

    /** A file's size, SHA-256 and attributes; a folder's attributes (size 0, no hash). */
    FileInfo fileInfo(String path);

    /** {@code CopyFileW}: 80 when {@code failIfExists} and the destination exists, 32 when it is a loaded DLL. */
    void copyFile(String source, String destination, boolean failIfExists);

    /**
     * {@code MoveFileExW} with {@link #MOVEFILE_REPLACE_EXISTING}, {@link #MOVEFILE_DELAY_UNTIL_REBOOT}
     * and {@link #MOVEFILE_WRITE_THROUGH} only (any other flag: 87). A null destination, only with
     * DELAY_UNTIL_REBOOT, schedules the source's deletion at the next boot. A scheduled move only
     * writes PendingFileRenameOperations.
     */
    void moveFile(String source, String destination, int flags);

    /** {@code DeleteFileW} of a file; a folder, or a link to one, is refused (336) with nothing deleted. */
    void deleteFile(String path);

    /** SERVICE_QUERY: a service's state, process id and active dependents (in the order they must be stopped). */
    ServiceState serviceQuery(String name);

    /**
     * SERVICE_STOP: asks the service to stop (SERVICE_CONTROL_STOP) and waits up to {@code timeoutMs} (1..600000)
     * for SERVICE_STOPPED; the state it is in then. Nothing is killed.
     */
    int serviceStop(String name, int timeoutMs);

    /** SERVICE_START: StartServiceW, then waits up to {@code timeoutMs} for SERVICE_RUNNING; the state it is in then. */
    int serviceStart(String name, int timeoutMs);

    /** FOLDER_REMOVE: {@code RemoveDirectoryW} of an empty folder (145 when it is not empty); a file is refused (267). */
    void removeFolder(String path);

    /**
     * Writes a whole file (at most {@link #FILE_WRITE_MAX} bytes) through a temporary file beside it
     * and one MoveFileExW: a reader sees the old file or the new one, never half of one.
     * {@link WriteMode#CREATE_NEW} fails with 183 when the file exists, and leaves it as it was.
     */
    void writeFile(String path, byte[] bytes, WriteMode mode);

    /**
     * Creates the folder (not its parents: 3 when the parent is missing) with an owner and a
     * protected DACL of Administrators and SYSTEM only ({@link SecureFolder#SDDL}), or checks the one
     * that exists.
     */
    SecureFolder secureFolder(String path);

    /**
     * CHECK_INSTALLED: an existing folder that Windows Installer made (it inherits Program Files' DACL),
     * checked, never created or changed: EXISTED_SECURE when nobody but Administrators, SYSTEM and
     * TrustedInstaller may add to it, change, delete or re-permission it (reading is fine),
     * NOT_SECURE with the reason, CANNOT_ANSWER under Wine. A missing folder: SessionException 2 or 3.
     */
    SecureFolder checkInstalled(String path);

    /** A registry value in the 64-bit view, type and raw bytes; empty when the key or the value does not exist. */
    Optional<RegValue> regRead(RegRoot root, String key, String name);

    /** Writes a registry value in the 64-bit view, creating the key when it is missing. */
    void regWrite(RegRoot root, String key, String name, RegValue value);

    /** Deletes a registry value: true when it did, false when there was no such key or value. */
    boolean regDeleteValue(RegRoot root, String key, String name);

    /**
     * REG_DELETE_KEY: deletes a key that has no subkeys, its values with it (64-bit view): true when it did,
     * false when there was no such key. A key with subkeys is refused (5).
     */
    boolean regDeleteKey(RegRoot root, String key);

    /** Whether Windows Resource Protection protects the file ({@code SfcIsFileProtected}; Wine's stub always says no). */
    boolean sfcProtected(String path);

    /** Whether the path is on another machine: a UNC path by its syntax, a drive by its type. */
    PathLocation pathLocation(String path);
}
