package io.inuse.engine.machine;

import io.inuse.engine.protocol.Ops;
import io.inuse.engine.session.BrokerSession;
import io.inuse.engine.session.SessionException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;

/**
 * The {@link Machine} the broker serves: each method one request of docs/protocol.md (KNOWN_FOLDER,
 * FILE_IDENTITY, OPEN_EXCLUSIVE, PROCESS_MODULES, SERVICES, WINDOW_TITLES, RM_START .. RM_END, and the
 * file, registry and security requests FILE_READ .. PATH_REMOTE) over the action's {@link BrokerSession}.
 * A reply of another shape than the protocol's is a {@link SessionException}, as in BrokerSession.
 */
public final class BrokerMachine implements Machine {
    private static final long ERROR_FILE_NOT_FOUND = 2;
    private static final long ERROR_PATH_NOT_FOUND = 3;
    private static final long ERROR_ACCESS_DENIED = 5;
    private static final long ERROR_SHARING_VIOLATION = 32;
    /** OPEN_EXCLUSIVE's kind: 1 a folder, 2 a device or other object that is not a disk file. */
    private static final long KIND_FOLDER = 1;
    private static final long KIND_DEVICE = 2;

    private final BrokerSession session;

    public BrokerMachine(BrokerSession session) {
        this.session = session;
    }

    @Override
    public String knownFolder(KnownFolder folder) {
        List<Object> reply = session.request(Ops.KNOWN_FOLDER, folder.name());
        if (reply.size() != 1 || !(reply.get(0) instanceof String path)) {
            throw shape("KNOWN_FOLDER", "one string", reply);
        }
        return path;
    }

    @Override
    public Optional<FileIdentity> identify(String path) {
        List<Object> reply;
        try {
            reply = session.request(Ops.FILE_IDENTITY, path);
        } catch (SessionException e) {
            if (e.api().equals("CreateFileW") && (e.win32Error() == ERROR_FILE_NOT_FOUND || e.win32Error() == ERROR_PATH_NOT_FOUND)) {
                return Optional.empty();
            }
            throw e;
        }
        if (reply.size() != 3 || !(reply.get(0) instanceof String longPath) || !(reply.get(1) instanceof Long serial)
                || !(reply.get(2) instanceof Long index)) {
            throw shape("FILE_IDENTITY", "[string long path, integer volume serial, integer file index]", reply);
        }
        return Optional.of(new FileIdentity(longPath, serial, index));
    }

    @Override
    public OpenProbe openExclusive(String path) {
        List<Object> reply = session.request(Ops.OPEN_EXCLUSIVE, path);
        if (reply.size() != 2 || !(reply.get(0) instanceof Long error) || !(reply.get(1) instanceof Long kind)) {
            throw shape("OPEN_EXCLUSIVE", "[integer error, integer kind]", reply);
        }
        if (kind == KIND_FOLDER || kind == KIND_DEVICE) {
            return new OpenProbe(OpenProbe.Result.NOT_A_FILE, error);
        }
        if (kind != 0) {
            throw shape("OPEN_EXCLUSIVE", "kind 0, 1 or 2", reply);
        }
        OpenProbe.Result result;
        if (error == 0) {
            result = OpenProbe.Result.FREE;
        } else if (error == ERROR_SHARING_VIOLATION) {
            result = OpenProbe.Result.SHARING_VIOLATION;
        } else if (error == ERROR_ACCESS_DENIED) {
            result = OpenProbe.Result.ACCESS_DENIED;
        } else if (error == ERROR_FILE_NOT_FOUND || error == ERROR_PATH_NOT_FOUND) {
            result = OpenProbe.Result.NOT_FOUND;
        } else {
            result = OpenProbe.Result.OTHER;
        }
        return new OpenProbe(result, error);
    }

    @Override
    public List<ProcessModules> processes(List<String> moduleNames) {
        List<Object> reply = session.request(Ops.PROCESS_MODULES, new ArrayList<Object>(moduleNames));
        String expected = "one list of [integer pid, string image path, string or null error, list of string module paths]";
        if (reply.size() != 1 || !(reply.get(0) instanceof List<?> processes)) {
            throw shape("PROCESS_MODULES", expected, reply);
        }
        List<ProcessModules> result = new ArrayList<>();
        for (Object item : processes) {
            if (!(item instanceof List<?> p) || p.size() != 4 || !(p.get(0) instanceof Long pid) || !(p.get(1) instanceof String image)
                    || !(p.get(2) == null || p.get(2) instanceof String) || !(p.get(3) instanceof List<?> modules)) {
                throw shape("PROCESS_MODULES", expected, reply);
            }
            List<String> paths = new ArrayList<>();
            for (Object module : modules) {
                if (!(module instanceof String m)) {
                    throw shape("PROCESS_MODULES", expected, reply);
                }
                paths.add(m);
            }
            result.add(new ProcessModules(pid, image, (String) p.get(2), paths));
        }
        return result;
    }

    @Override
    public List<Service> services() {
        List<Object> reply = session.request(Ops.SERVICES);
        String expected = "one list of [string short name, string display name, integer pid]";
        if (reply.size() != 1 || !(reply.get(0) instanceof List<?> services)) {
            throw shape("SERVICES", expected, reply);
        }
        List<Service> result = new ArrayList<>();
        for (Object item : services) {
            if (!(item instanceof List<?> s) || s.size() != 3 || !(s.get(0) instanceof String name)
                    || !(s.get(1) instanceof String display) || !(s.get(2) instanceof Long pid)) {
                throw shape("SERVICES", expected, reply);
            }
            result.add(new Service(name, display, pid));
        }
        return result;
    }

    @Override
    public ServiceState serviceQuery(String name) {
        List<Object> reply = session.request(Ops.SERVICE_QUERY, name);
        String expected = "[integer state, integer pid, list of strings dependents]";
        if (reply.size() != 3 || !(reply.get(0) instanceof Long state) || !(reply.get(1) instanceof Long pid)
                || !(reply.get(2) instanceof List<?> names)) {
            throw shape("SERVICE_QUERY", expected, reply);
        }
        List<String> dependents = new ArrayList<>();
        for (Object item : names) {
            if (!(item instanceof String dependent)) {
                throw shape("SERVICE_QUERY", expected, reply);
            }
            dependents.add(dependent);
        }
        return new ServiceState(state.intValue(), pid, dependents);
    }

    @Override
    public int serviceStop(String name, int timeoutMs) {
        return serviceState("SERVICE_STOP", session.request(Ops.SERVICE_STOP, name, (long) timeoutMs));
    }

    @Override
    public int serviceStart(String name, int timeoutMs) {
        return serviceState("SERVICE_START", session.request(Ops.SERVICE_START, name, (long) timeoutMs));
    }

    private static int serviceState(String op, List<Object> reply) {
        if (reply.size() != 1 || !(reply.get(0) instanceof Long state)) {
            throw shape(op, "[integer state]", reply);
        }
        return state.intValue();
    }

    @Override
    public List<WindowTitle> windowTitles(List<Long> pids) {
        List<Object> reply = session.request(Ops.WINDOW_TITLES, new ArrayList<Object>(pids));
        String expected = "one list of [integer pid, string title]";
        if (reply.size() != 1 || !(reply.get(0) instanceof List<?> windows)) {
            throw shape("WINDOW_TITLES", expected, reply);
        }
        List<WindowTitle> result = new ArrayList<>();
        for (Object item : windows) {
            if (!(item instanceof List<?> w) || w.size() != 2 || !(w.get(0) instanceof Long pid) || !(w.get(1) instanceof String title)) {
                throw shape("WINDOW_TITLES", expected, reply);
            }
            result.add(new WindowTitle(pid, title));
        }
        return result;
    }

    @Override
    public RmSession rmStart() {
        List<Object> reply = session.request(Ops.RM_START);
        if (reply.size() != 2 || !(reply.get(0) instanceof Long handle) || !(reply.get(1) instanceof String key)) {
            throw shape("RM_START", "[integer session handle, string session key]", reply);
        }
        return new RmSession(handle, key);
    }

    @Override
    public RmSession rmJoin(String key) {
        List<Object> reply = session.request(Ops.RM_JOIN, key);
        if (reply.size() != 1 || !(reply.get(0) instanceof Long handle)) {
            throw shape("RM_JOIN", "[integer session handle]", reply);
        }
        return new RmSession(handle, key);
    }

    @Override
    public void rmRegister(RmSession rm, List<String> files, List<String> services) {
        List<Object> reply = session.request(Ops.RM_REGISTER, rm.handle(), new ArrayList<Object>(files), new ArrayList<Object>(services));
        if (!reply.isEmpty()) {
            throw shape("RM_REGISTER", "no values", reply);
        }
    }

    @Override
    public RmList rmGetList(RmSession rm) {
        List<Object> reply = session.request(Ops.RM_GET_LIST, rm.handle());
        String expected = "[integer reboot reasons, list of [integer pid, string app name, string service short name, "
                + "integer application type, integer app status, integer TS session id, integer restartable 0 or 1]]";
        if (reply.size() != 2 || !(reply.get(0) instanceof Long reasons) || !(reply.get(1) instanceof List<?> processes)) {
            throw shape("RM_GET_LIST", expected, reply);
        }
        List<RmProcess> result = new ArrayList<>();
        for (Object item : processes) {
            if (!(item instanceof List<?> p) || p.size() != 7 || !(p.get(0) instanceof Long pid) || !(p.get(1) instanceof String app)
                    || !(p.get(2) instanceof String service) || !(p.get(3) instanceof Long type) || !(p.get(4) instanceof Long status)
                    || !(p.get(5) instanceof Long sessionId) || !(p.get(6) instanceof Long restartable)
                    || (restartable != 0 && restartable != 1)) {
                throw shape("RM_GET_LIST", expected, reply);
            }
            result.add(new RmProcess(pid, app, service, type, status, sessionId, restartable == 1));
        }
        return new RmList(reasons, result);
    }

    @Override
    public void rmEnd(RmSession rm) {
        List<Object> reply = session.request(Ops.RM_END, rm.handle());
        if (!reply.isEmpty()) {
            throw shape("RM_END", "no values", reply);
        }
    }

    @Override
    public byte[] readFile(String path, int maxBytes) {
        List<Object> reply = session.request(Ops.FILE_READ, path, (long) maxBytes);
        if (reply.size() != 1 || !(reply.get(0) instanceof byte[] bytes) || bytes.length > maxBytes) {
            throw shape("FILE_READ", "one bytes value of at most the maximum asked for", reply);
        }
        return bytes;
    }

    @Override
    public FileInfo fileInfo(String path) {
        List<Object> reply = session.request(Ops.FILE_INFO, path);
        String expected = "[integer size, bytes SHA-256 (32) or null for a folder, integer attributes]";
        if (reply.size() != 3 || !(reply.get(0) instanceof Long size) || size < 0 || !(reply.get(2) instanceof Long attributes)) {
            throw shape("FILE_INFO", expected, reply);
        }
        boolean folder = (attributes & FileInfo.FILE_ATTRIBUTE_DIRECTORY) != 0;
        if (folder ? reply.get(1) != null : !(reply.get(1) instanceof byte[] hash && hash.length == 32)) {
            throw shape("FILE_INFO", expected, reply);
        }
        return new FileInfo(size, folder ? null : HexFormat.of().formatHex((byte[]) reply.get(1)), attributes);
    }

    @Override
    public void copyFile(String source, String destination, boolean failIfExists) {
        none("FILE_COPY", session.request(Ops.FILE_COPY, source, destination, failIfExists ? 1L : 0L));
    }

    @Override
    public void moveFile(String source, String destination, int flags) {
        none("FILE_MOVE", session.request(Ops.FILE_MOVE, source, destination, (long) flags));
    }

    @Override
    public void deleteFile(String path) {
        none("FILE_DELETE", session.request(Ops.FILE_DELETE, path));
    }

    @Override
    public void removeFolder(String path) {
        none("FOLDER_REMOVE", session.request(Ops.FOLDER_REMOVE, path));
    }

    @Override
    public void writeFile(String path, byte[] bytes, WriteMode mode) {
        none("FILE_WRITE", session.request(Ops.FILE_WRITE, path, bytes, mode.wire()));
    }

    @Override
    public SecureFolder secureFolder(String path) {
        List<Object> reply = session.request(Ops.SECURE_FOLDER, path);
        SecureFolder.State[] states = SecureFolder.State.values();
        if (reply.size() != 3 || !(reply.get(0) instanceof Long state) || state < 1 || state > states.length
                || !(reply.get(1) instanceof String sddl) || !(reply.get(2) instanceof String reason)) {
            throw shape("SECURE_FOLDER", "[integer state 1..4, string SDDL, string reason]", reply);
        }
        return new SecureFolder(states[(int) (state - 1)], sddl, reason);
    }

    @Override
    public SecureFolder checkInstalled(String path) {
        List<Object> reply = session.request(Ops.CHECK_INSTALLED, path);
        if (reply.size() != 3 || !(reply.get(0) instanceof Long state) || state < 2 || state > 4
                || !(reply.get(1) instanceof String sddl) || !(reply.get(2) instanceof String reason)) {
            throw shape("CHECK_INSTALLED", "[integer state 2..4, string SDDL, string reason]", reply);
        }
        return new SecureFolder(SecureFolder.State.values()[(int) (state - 1)], sddl, reason);
    }

    @Override
    public Optional<RegValue> regRead(RegRoot root, String key, String name) {
        List<Object> reply = session.request(Ops.REG_READ, root.name(), key, name);
        if (reply.size() == 1 && reply.get(0) == null) {
            return Optional.empty();
        }
        if (reply.size() != 2 || !(reply.get(0) instanceof Long type) || type < 0 || type > 0xFFFFFFFFL
                || !(reply.get(1) instanceof byte[] data)) {
            throw shape("REG_READ", "[integer type, bytes data] or [null]", reply);
        }
        return Optional.of(new RegValue((int) (long) type, data));
    }

    @Override
    public void regWrite(RegRoot root, String key, String name, RegValue value) {
        none("REG_WRITE", session.request(Ops.REG_WRITE, root.name(), key, name, (long) value.type(), value.data()));
    }

    @Override
    public boolean regDeleteValue(RegRoot root, String key, String name) {
        return flag("REG_DELETE_VALUE", session.request(Ops.REG_DELETE_VALUE, root.name(), key, name));
    }

    @Override
    public boolean regDeleteKey(RegRoot root, String key) {
        return flag("REG_DELETE_KEY", session.request(Ops.REG_DELETE_KEY, root.name(), key));
    }

    @Override
    public boolean sfcProtected(String path) {
        return flag("SFC_PROTECTED", session.request(Ops.SFC_PROTECTED, path));
    }

    @Override
    public PathLocation pathLocation(String path) {
        List<Object> reply = session.request(Ops.PATH_REMOTE, path);
        String expected = "[integer remote 0 or 1, integer drive type or null, string root]";
        if (reply.size() != 3 || !(reply.get(0) instanceof Long remote) || (remote != 0 && remote != 1)
                || !(reply.get(2) instanceof String root)) {
            throw shape("PATH_REMOTE", expected, reply);
        }
        if (reply.get(1) == null) {
            if (remote != 1 || !root.equals("UNC")) {
                throw shape("PATH_REMOTE", expected + " (null only for a UNC path, which is remote)", reply);
            }
            return new PathLocation(true, PathLocation.NOT_ASKED, root);
        }
        if (!(reply.get(1) instanceof Long type) || type < 0) {
            throw shape("PATH_REMOTE", expected, reply);
        }
        return new PathLocation(remote == 1, type, root);
    }

    private static void none(String op, List<Object> reply) {
        if (!reply.isEmpty()) {
            throw shape(op, "no values", reply);
        }
    }

    private static boolean flag(String op, List<Object> reply) {
        if (reply.size() != 1 || !(reply.get(0) instanceof Long n) || (n != 0 && n != 1)) {
            throw shape(op, "one integer 0 or 1", reply);
        }
        return n == 1;
    }

    private static SessionException shape(String op, String expected, List<Object> reply) {
        String text = String.valueOf(reply);
        return new SessionException(op + ": expected " + expected + " in the reply, got "
                + (text.length() > 300 ? text.substring(0, 300) + "..." : text), null);
    }
}
