package io.inuse.engine.machine;

import io.inuse.engine.session.SessionException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * An in-memory {@link Machine} for unit tests.
 *
 * <ul>
 * <li>known folders in a map;</li>
 * <li>files: a path and its identity ({@link #file}); a path is looked up without regard to case
 * and after a {@code \\?\} or {@code \??\} prefix, then through the {@link #alias} map (an 8.3
 * name, another spelling), as Windows resolves it;</li>
 * <li>exclusive-open answers per identity ({@link #probe}, {@link #lock}); a file with no answer
 * opens (FREE), a missing one is NOT_FOUND;</li>
 * <li>processes ({@link #process}, {@link #unscannable}) and services ({@link #service});</li>
 * <li>windows ({@link #window}): {@link #windowTitles} answers those of the pids asked for, empty
 * titles left out;</li>
 * <li>Restart Manager: sessions are numbered from 1 ({@link #rmOpen} holds the open ones, a handle
 * not open is refused with 87 as the broker refuses it); {@link #rmUser} says which processes use a
 * file or service, and {@link #rmGetList} answers the users of what was registered, with
 * {@link #rmRebootReasons}: by default nobody, as Wine's stub answers; {@link #rmRegistered} and
 * {@link #rmJoined} record what was asked;</li>
 * <li>failures: {@link #failing} maps a call's name ({@code "processes"}, {@code "services"},
 * {@code "knownFolder"}, {@code "openExclusive"}, {@code "identify"} or {@code "identify:<path>"},
 * {@code "windowTitles"}, {@code "rmStart"}, {@code "rmJoin"}, {@code "rmRegister"},
 * {@code "rmGetList"}, {@code "rmEnd"})
 * to a Win32 error, and that call throws {@link SessionException} with the API's name;</li>
 * <li>files with bytes ({@link #put}, {@link #disk}: copy, move, delete and write with Windows'
 * errors; a file {@link #lock}ed counts as a loaded DLL), a registry ({@link #registry}), into whose
 * PendingFileRenameOperations a delayed move is appended in Windows' format; protected files, drive
 * types (UNC paths remote by their syntax) and secure folders, all in the disk;</li>
 * <li>{@link #beforeCall} runs before every call with the call's name, so a test can change the
 * machine between two calls (a process exits, a locker goes away); {@link #calls} lists them.</li>
 * </ul>
 */
public class FakeMachine implements Machine {
    /** A scripted process: image path, why it could not be scanned (null when it could), all its module paths. */
    public record FakeProcess(long pid, String imagePath, String error, List<String> modules) {
    }

    public final Map<KnownFolder, String> folders = new EnumMap<>(KnownFolder.class);
    /** canonical path (lower case) → identity */
    private final Map<String, FileIdentity> files = new HashMap<>();
    /** spelling (lower case, prefix removed) → canonical path (lower case) */
    private final Map<String, String> aliases = new HashMap<>();
    /** "volume:index" → answer */
    private final Map<String, OpenProbe> probes = new HashMap<>();
    public final List<FakeProcess> processes = new ArrayList<>();
    public final List<Service> services = new ArrayList<>();
    /** stopping and starting them (SERVICE_QUERY, SERVICE_STOP, SERVICE_START) */
    public final FakeServices serviceControl = new FakeServices(this);
    public final Map<String, Long> failing = new HashMap<>();
    public final List<String> calls = new ArrayList<>();
    /** The module names each processes() call asked for. */
    public final List<List<String>> processesAsked = new ArrayList<>();
    public Consumer<String> beforeCall = call -> { };
    public final List<WindowTitle> windows = new ArrayList<>();
    /** open Restart Manager sessions: handle → key */
    public final Map<Long, String> rmOpen = new LinkedHashMap<>();
    /** what each session registered (files, then services, as given), by handle; kept after the session ends */
    public final Map<Long, List<String>> rmRegistered = new HashMap<>();
    /** the keys rmJoin was called with */
    public final List<String> rmJoined = new ArrayList<>();
    /** a file (lower case) or service short name (lower case) → the processes Restart Manager says use it */
    private final Map<String, List<RmProcess>> rmUsers = new HashMap<>();
    public long rmRebootReasons;
    private long nextRmHandle = 1;
    public final FakeDisk disk = new FakeDisk();
    public final FakeRegistry registry = new FakeRegistry();
    private long nextFileIndex = 0x1000;

    public FakeMachine() {
        disk.loaded = this::locked;
    }

    /** A machine with the usual known folders under C:\Windows and C:\Program Files. */
    public static FakeMachine standard() {
        FakeMachine machine = new FakeMachine();
        machine.folders.put(KnownFolder.Windows, "C:\\Windows");
        machine.folders.put(KnownFolder.System, "C:\\Windows\\system32");
        machine.folders.put(KnownFolder.SystemX86, "C:\\Windows\\SysWOW64");
        machine.folders.put(KnownFolder.ProgramFiles, "C:\\Program Files");
        machine.folders.put(KnownFolder.ProgramFilesX86, "C:\\Program Files (x86)");
        machine.folders.put(KnownFolder.ProgramFilesCommon, "C:\\Program Files\\Common Files");
        machine.folders.put(KnownFolder.ProgramData, "C:\\ProgramData");
        return machine;
    }

    /** A file at a path (its long path as given), with its identity on a volume. */
    public FakeMachine file(String path, long volumeSerial, long fileIndex) {
        files.put(key(path), new FileIdentity(path, volumeSerial, fileIndex));
        return this;
    }

    /** A file with bytes (its folders made), with an identity on volume 1. */
    public FakeMachine put(String path, byte[] bytes) {
        disk.put(path, bytes);
        return file(path, 1, nextFileIndex++);
    }

    public FakeMachine removeFile(String path) {
        files.remove(key(path));
        return this;
    }

    /** Another spelling of a path: an 8.3 name, another folder's junction, ... */
    public FakeMachine alias(String spelling, String path) {
        aliases.put(key(spelling), key(path));
        return this;
    }

    /** What the exclusive open of the file at that path answers. */
    public FakeMachine probe(String path, OpenProbe.Result result, long win32Error) {
        probes.put(identityKey(lookup(path)), new OpenProbe(result, win32Error));
        return this;
    }

    /** The exclusive open of the file at that path meets a sharing violation (32). */
    public FakeMachine lock(String path) {
        return probe(path, OpenProbe.Result.SHARING_VIOLATION, 32);
    }

    /** The exclusive open of the file at that path succeeds again. */
    public FakeMachine unlock(String path) {
        probes.remove(identityKey(lookup(path)));
        return this;
    }

    public FakeMachine process(long pid, String imagePath, String... modules) {
        processes.add(new FakeProcess(pid, imagePath, null, List.of(modules)));
        return this;
    }

    /** A process the scan could not read, with the reason the broker gives. */
    public FakeMachine unscannable(long pid, String imagePath, String error) {
        processes.add(new FakeProcess(pid, imagePath, error, List.of()));
        return this;
    }

    public FakeMachine removeProcess(long pid) {
        processes.removeIf(p -> p.pid() == pid);
        return this;
    }

    public FakeMachine service(String shortName, String displayName, long pid) {
        services.add(new Service(shortName, displayName, pid));
        return this;
    }

    /** A visible top-level window of a process. */
    public FakeMachine window(long pid, String title) {
        windows.add(new WindowTitle(pid, title));
        return this;
    }

    /** Restart Manager answers that process as a user of the file or service (short name). */
    public FakeMachine rmUser(String fileOrService, RmProcess process) {
        rmUsers.computeIfAbsent(fileOrService.toLowerCase(Locale.ROOT), k -> new ArrayList<>()).add(process);
        return this;
    }

    public int count(String call) {
        int n = 0;
        for (String c : calls) {
            n += c.equals(call) ? 1 : 0;
        }
        return n;
    }

    @Override
    public String knownFolder(KnownFolder folder) {
        enter("knownFolder", "KNOWN_FOLDER", "SHGetKnownFolderPath");
        String path = folders.get(folder);
        if (path == null) {
            throw new SessionException("KNOWN_FOLDER", 2, "SHGetKnownFolderPath", "no such folder in the fake: " + folder);
        }
        return path;
    }

    @Override
    public Optional<FileIdentity> identify(String path) {
        enter("identify", "IDENTIFY", "CreateFileW");
        Long error = failing.get("identify:" + path);
        if (error != null) {
            throw new SessionException("IDENTIFY", error, "CreateFileW", "");
        }
        return Optional.ofNullable(lookup(path));
    }

    @Override
    public OpenProbe openExclusive(String path) {
        enter("openExclusive", "OPEN_EXCLUSIVE", "CreateFileW");
        FileIdentity identity = lookup(path);
        if (identity == null) {
            return new OpenProbe(OpenProbe.Result.NOT_FOUND, 2);
        }
        return probes.getOrDefault(identityKey(identity), new OpenProbe(OpenProbe.Result.FREE, 0));
    }

    @Override
    public List<ProcessModules> processes(List<String> moduleNames) {
        enter("processes", "PROCESSES", "CreateToolhelp32Snapshot");
        processesAsked.add(List.copyOf(moduleNames));
        List<ProcessModules> answer = new ArrayList<>();
        for (FakeProcess process : processes) {
            List<String> asked = new ArrayList<>();
            for (String module : process.modules()) {
                for (String name : moduleNames) {
                    if (fileName(module).equalsIgnoreCase(name)) {
                        asked.add(module);
                        break;
                    }
                }
            }
            answer.add(new ProcessModules(process.pid(), process.imagePath(), process.error(), asked));
        }
        return answer;
    }

    @Override
    public List<Service> services() {
        enter("services", "SERVICES", "EnumServicesStatusExW");
        return List.copyOf(services);
    }

    @Override
    public List<WindowTitle> windowTitles(List<Long> pids) {
        enter("windowTitles", "WINDOW_TITLES", "EnumWindows");
        if (pids.size() > 1024) {
            throw new SessionException("WINDOW_TITLES", 87, "protocol", "at most 1024 pids");
        }
        List<WindowTitle> answer = new ArrayList<>();
        for (WindowTitle w : windows) {
            if (pids.contains(w.pid()) && !w.title().isEmpty()) {
                answer.add(w);
            }
        }
        return answer;
    }

    @Override
    public RmSession rmStart() {
        enter("rmStart", "RM_START", "RmStartSession");
        long handle = nextRmHandle++;
        RmSession session = new RmSession(handle, String.format("%032x", handle));
        rmOpen.put(session.handle(), session.key());
        return session;
    }

    @Override
    public RmSession rmJoin(String key) {
        enter("rmJoin", "RM_JOIN", "RmJoinSession");
        rmJoined.add(key);
        RmSession session = new RmSession(nextRmHandle++, key);
        rmOpen.put(session.handle(), key);
        return session;
    }

    @Override
    public void rmRegister(RmSession session, List<String> files, List<String> services) {
        enter("rmRegister", "RM_REGISTER", "RmRegisterResources");
        open(session, "RM_REGISTER");
        List<String> registered = rmRegistered.computeIfAbsent(session.handle(), k -> new ArrayList<>());
        registered.addAll(files);
        registered.addAll(services);
    }

    @Override
    public RmList rmGetList(RmSession session) {
        enter("rmGetList", "RM_GET_LIST", "RmGetList");
        open(session, "RM_GET_LIST");
        Map<Long, RmProcess> users = new LinkedHashMap<>();
        for (String resource : rmRegistered.getOrDefault(session.handle(), List.of())) {
            for (RmProcess p : rmUsers.getOrDefault(resource.toLowerCase(Locale.ROOT), List.of())) {
                users.putIfAbsent(p.pid(), p);
            }
        }
        return new RmList(rmRebootReasons, new ArrayList<>(users.values()));
    }

    @Override
    public void rmEnd(RmSession session) {
        enter("rmEnd", "RM_END", "RmEndSession");
        open(session, "RM_END");
        rmOpen.remove(session.handle());
    }

    @Override
    public byte[] readFile(String path, int maxBytes) {
        enter("readFile", "FILE_READ", "CreateFileW");
        return disk.read(path, maxBytes);
    }

    @Override
    public FileInfo fileInfo(String path) {
        enter("fileInfo", "FILE_INFO", "CreateFileW");
        return disk.info(path);
    }

    @Override
    public void copyFile(String source, String destination, boolean failIfExists) {
        enter("copyFile", "FILE_COPY", "CopyFileW");
        disk.copy(source, destination, failIfExists);
        file(destination, 1, nextFileIndex++);
    }

    @Override
    public void moveFile(String source, String destination, int flags) {
        enter("moveFile", "FILE_MOVE", "MoveFileExW");
        int known = MOVEFILE_REPLACE_EXISTING | MOVEFILE_DELAY_UNTIL_REBOOT | MOVEFILE_WRITE_THROUGH;
        boolean delay = (flags & MOVEFILE_DELAY_UNTIL_REBOOT) != 0;
        if ((flags & ~known) != 0 || (destination == null && !delay)) {
            throw new SessionException("FILE_MOVE", 87, "protocol", "wrong arguments: flags 0x" + Integer.toHexString(flags));
        }
        boolean replace = (flags & MOVEFILE_REPLACE_EXISTING) != 0;
        if (delay) {
            registry.schedule(source, destination, replace);
            return;
        }
        FileIdentity identity = lookup(source);
        disk.moveNow(source, destination, replace);
        if (identity != null) {
            removeFile(source);
            file(destination, identity.volumeSerial(), identity.fileIndex());
        }
    }

    @Override
    public void deleteFile(String path) {
        enter("deleteFile", "FILE_DELETE", "DeleteFileW");
        disk.delete(path);
        removeFile(path);
    }

    @Override
    public ServiceState serviceQuery(String name) {
        enter("serviceQuery", "SERVICE_QUERY", "QueryServiceStatusEx");
        return serviceControl.query(name);
    }

    @Override
    public int serviceStop(String name, int timeoutMs) {
        enter("serviceStop", "SERVICE_STOP", "ControlService");
        return serviceControl.stop(name);
    }

    @Override
    public int serviceStart(String name, int timeoutMs) {
        enter("serviceStart", "SERVICE_START", "StartServiceW");
        return serviceControl.start(name);
    }

    @Override
    public void removeFolder(String path) {
        enter("removeFolder", "FOLDER_REMOVE", "RemoveDirectoryW");
        disk.removeFolder(path);
    }

    @Override
    public void writeFile(String path, byte[] bytes, WriteMode mode) {
        enter("writeFile", "FILE_WRITE", "MoveFileExW");
        disk.write(path, bytes, mode);
        file(path, 1, nextFileIndex++);
    }

    @Override
    public SecureFolder secureFolder(String path) {
        enter("secureFolder", "SECURE_FOLDER", "CreateDirectoryW");
        return disk.secure(path);
    }

    @Override
    public SecureFolder checkInstalled(String path) {
        enter("checkInstalled", "CHECK_INSTALLED", "GetFileAttributesW");
        return disk.check(path);
    }

    @Override
    public Optional<RegValue> regRead(RegRoot root, String key, String name) {
        enter("regRead", "REG_READ", "RegQueryValueExW");
        return registry.read(root, key, name);
    }

    @Override
    public void regWrite(RegRoot root, String key, String name, RegValue value) {
        enter("regWrite", "REG_WRITE", "RegSetValueExW");
        registry.write(root, key, name, value);
    }

    @Override
    public boolean regDeleteValue(RegRoot root, String key, String name) {
        enter("regDeleteValue", "REG_DELETE_VALUE", "RegDeleteValueW");
        return registry.delete(root, key, name);
    }

    @Override
    public boolean regDeleteKey(RegRoot root, String key) {
        enter("regDeleteKey", "REG_DELETE_KEY", "RegDeleteKeyExW");
        return registry.deleteKey(root, key);
    }

    @Override
    public boolean sfcProtected(String path) {
        enter("sfcProtected", "SFC_PROTECTED", "SfcIsFileProtected");
        return disk.protectedFiles.contains(FakeDisk.key(path));
    }

    @Override
    public PathLocation pathLocation(String path) {
        enter("pathLocation", "PATH_REMOTE", "GetDriveTypeW");
        return disk.location(path);
    }

    private boolean locked(String path) {
        FileIdentity identity = lookup(path);
        OpenProbe probe = identity == null ? null : probes.get(identityKey(identity));
        return probe != null && probe.result() == OpenProbe.Result.SHARING_VIOLATION;
    }

    private void open(RmSession session, String request) {
        if (!rmOpen.containsKey(session.handle())) {
            throw new SessionException(request, 87, "protocol", "not a Restart Manager session this action started or joined");
        }
    }

    private void enter(String call, String request, String api) {
        calls.add(call);
        beforeCall.accept(call);
        Long error = failing.get(call);
        if (error != null) {
            throw new SessionException(request, error, api, "failing in the fake");
        }
    }

    private FileIdentity lookup(String path) {
        String key = key(path);
        FileIdentity identity = files.get(key);
        if (identity == null && aliases.containsKey(key)) {
            identity = files.get(aliases.get(key));
        }
        return identity;
    }

    private static String key(String path) {
        String text = path;
        if (text.startsWith("\\\\?\\") || text.startsWith("\\??\\")) {
            text = text.substring(4);
        }
        return text.toLowerCase(Locale.ROOT);
    }

    private static String identityKey(FileIdentity identity) {
        if (identity == null) {
            throw new IllegalArgumentException("no such file in the fake");
        }
        return identity.volumeSerial() + ":" + identity.fileIndex();
    }

    private static String fileName(String path) {
        return path.substring(Math.max(path.lastIndexOf('\\'), path.lastIndexOf('/')) + 1);
    }
}
