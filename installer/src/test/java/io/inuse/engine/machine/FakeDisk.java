package io.inuse.engine.machine;

import io.inuse.engine.session.SessionException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;

/**
 * The file system of {@link FakeMachine}: files with bytes and attributes, folders with an owner and
 * DACL as SDDL, and the Win32 errors Windows gives for what the broker's file requests do:
 * 2 (no file), 3 (no folder above it), 5 (a folder where a file is meant, a read-only file, deleting
 * or replacing a loaded DLL), 32 (copying onto a loaded DLL), 80 (copy that must not replace), 183
 * (move or create-new onto an existing file), 223 (larger than asked for). Paths are compared without
 * regard to case and after a {@code \\?\} or {@code \??\} prefix. Drive roots ({@link #roots},
 * {@code c:} by default) always exist. Which files are loaded is FakeMachine's ({@link #loaded}).
 */
public final class FakeDisk {
    /** A file or folder: its spelling as created, bytes (null for a folder), attributes, SDDL (folders). */
    private record Entry(String path, byte[] bytes, long attributes, String sddl, boolean secure) {
        boolean folder() {
            return bytes == null;
        }
    }

    /** A folder's owner and DACL when nobody set one: Users may change it. */
    public static final String USERS_SDDL = "O:S-1-5-32-545D:AI(A;OICIID;FA;;;BU)";
    /** A folder Windows Installer made under Program Files: inherited, Users read and execute, TrustedInstaller full. */
    public static final String INSTALLER_SDDL = "O:SYD:AI(A;OICIID;FA;;;S-1-5-80-956008885-3418522649-1831038044-1853292631-2271478464)"
            + "(A;OICIID;FA;;;SY)(A;OICIID;FA;;;BA)(A;OICIID;0x1200a9;;;BU)";

    private final Map<String, Entry> entries = new LinkedHashMap<>();
    public final Set<String> roots = new HashSet<>(List.of("c:"));
    /** Whether a path is a DLL some process has loaded. */
    Predicate<String> loaded = path -> false;
    /** files Windows Resource Protection protects (as {@link #key} gives them) */
    public final Set<String> protectedFiles = new HashSet<>();
    /** drive letter (lower case) → GetDriveTypeW's answer for its root; C: is fixed, an unknown drive has no root (1) */
    public final Map<Character, Long> driveTypes = new HashMap<>(Map.of('c', PathLocation.DRIVE_FIXED));
    /** Wine: a folder's DACL does not read back, so an existing folder's check cannot answer. */
    public boolean platformCannotAnswer;

    public void put(String path, byte[] bytes) {
        folder(parent(key(path)));
        entries.put(key(path), new Entry(path, bytes.clone(), 0x20, null, false));
    }

    /** A folder and those above it, with {@link #USERS_SDDL}. */
    public void folder(String path) {
        String key = key(path);
        if (key.isEmpty() || roots.contains(key) || isFolder(key)) {
            return;
        }
        folder(parent(key));
        entries.put(key, new Entry(path, null, 0x10, USERS_SDDL, false));
    }

    public void security(String folder, String sddl, boolean secure) {
        Entry e = entry(folder);
        entries.put(key(folder), new Entry(e.path(), null, e.attributes(), sddl, secure));
    }

    /** A file's own owner and DACL, its bytes kept (CHECK_INSTALLED fails a file with {@link #USERS_SDDL}). */
    public void fileSecurity(String path, String sddl) {
        Entry e = entry(path);
        entries.put(key(path), new Entry(e.path(), e.bytes(), e.attributes(), sddl, false));
    }

    public void readOnly(String path) {
        Entry e = entry(path);
        entries.put(key(path), new Entry(e.path(), e.bytes(), e.attributes() | FileInfo.FILE_ATTRIBUTE_READONLY, e.sddl(), e.secure()));
    }

    public Optional<byte[]> bytes(String path) {
        Entry e = entries.get(key(path));
        return e == null || e.folder() ? Optional.empty() : Optional.of(e.bytes().clone());
    }

    public boolean exists(String path) {
        return entries.containsKey(key(path)) || roots.contains(key(path));
    }

    public boolean isFolder(String path) {
        Entry e = entries.get(key(path));
        return roots.contains(key(path)) || (e != null && e.folder());
    }

    /** Every path (as spelled when created), files and folders, in the order they were made. */
    public List<String> paths() {
        List<String> out = new ArrayList<>();
        for (Entry e : entries.values()) {
            out.add(e.path());
        }
        return out;
    }

    byte[] read(String path, int maxBytes) {
        if (maxBytes < 1 || maxBytes > Machine.FILE_READ_MAX) {
            throw new SessionException("FILE_READ", 87, "protocol", "wrong arguments: max bytes 1.." + Machine.FILE_READ_MAX);
        }
        Entry e = existing("FILE_READ", "CreateFileW", path);
        if (e.folder()) {
            throw error("FILE_READ", 5, "CreateFileW", path);
        }
        if (e.bytes().length > maxBytes) {
            throw new SessionException("FILE_READ", 223, "GetFileSizeEx",
                    "the file is " + e.bytes().length + " bytes, more than the " + maxBytes + " asked for");
        }
        return e.bytes().clone();
    }

    FileInfo info(String path) {
        if (roots.contains(key(path))) {
            return new FileInfo(0, null, FileInfo.FILE_ATTRIBUTE_DIRECTORY);
        }
        Entry e = existing("FILE_INFO", "CreateFileW", path);
        return e.folder() ? new FileInfo(0, null, e.attributes()) : new FileInfo(e.bytes().length, sha256(e.bytes()), e.attributes());
    }

    void copy(String source, String destination, boolean failIfExists) {
        Entry from = existing("FILE_COPY", "CopyFileW", source);
        Entry to = entries.get(key(destination));
        if (from.folder() || (to != null && (to.folder() || (to.attributes() & FileInfo.FILE_ATTRIBUTE_READONLY) != 0))) {
            throw error("FILE_COPY", 5, "CopyFileW", destination);
        }
        if (to != null && failIfExists) {
            throw error("FILE_COPY", 80, "CopyFileW", destination);
        }
        if (to != null && loaded.test(destination)) {
            throw error("FILE_COPY", 32, "CopyFileW", destination);
        }
        parentExists("FILE_COPY", "CopyFileW", destination);
        entries.put(key(destination), new Entry(to != null ? to.path() : destination, from.bytes(), from.attributes(), null, false));
    }

    /** A move now (MoveFileExW without DELAY_UNTIL_REBOOT): a folder moves with what it holds. */
    void moveNow(String source, String destination, boolean replace) {
        Entry from = existing("FILE_MOVE", "MoveFileExW", source);
        parentExists("FILE_MOVE", "MoveFileExW", destination);
        Entry to = entries.get(key(destination));
        if (to != null && !key(source).equals(key(destination))) {
            if (!replace) {
                throw error("FILE_MOVE", 183, "MoveFileExW", destination);
            }
            if (to.folder() || from.folder() || loaded.test(destination) || (to.attributes() & FileInfo.FILE_ATTRIBUTE_READONLY) != 0) {
                throw error("FILE_MOVE", 5, "MoveFileExW", destination);
            }
        }
        String prefix = key(source) + "\\";
        Map<String, Entry> moved = new LinkedHashMap<>();
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            if (e.getKey().equals(key(source)) || e.getKey().startsWith(prefix)) {
                moved.put(e.getKey(), e.getValue());
            }
        }
        for (Map.Entry<String, Entry> e : moved.entrySet()) {
            entries.remove(e.getKey());
            String suffix = e.getKey().substring(key(source).length());
            String spelled = destination + e.getValue().path().substring(e.getValue().path().length() - suffix.length());
            Entry old = e.getValue();
            entries.put(key(destination) + suffix, new Entry(spelled, old.bytes(), old.attributes(), old.sddl(), old.secure()));
        }
    }

    void delete(String path) {
        Entry e = entries.get(key(path));
        if (e != null && e.folder()) {
            throw new SessionException("FILE_DELETE", 336, "protocol", "FILE_DELETE deletes files only: the path is a folder; nothing was deleted");
        }
        existing("FILE_DELETE", "DeleteFileW", path);
        if (loaded.test(path) || (e.attributes() & FileInfo.FILE_ATTRIBUTE_READONLY) != 0) {
            throw error("FILE_DELETE", 5, "DeleteFileW", path);
        }
        entries.remove(key(path));
    }

    void removeFolder(String path) {
        Entry e = existing("FOLDER_REMOVE", "RemoveDirectoryW", path);
        if (!e.folder()) {
            throw new SessionException("FOLDER_REMOVE", 267, "protocol", "FOLDER_REMOVE removes folders only: the path is a file; nothing was removed");
        }
        String prefix = key(path) + "\\";
        for (String key : entries.keySet()) {
            if (key.startsWith(prefix)) {
                throw error("FOLDER_REMOVE", 145, "RemoveDirectoryW", path);
            }
        }
        entries.remove(key(path));
    }

    void write(String path, byte[] bytes, WriteMode mode) {
        if (bytes.length > Machine.FILE_WRITE_MAX) {
            throw new SessionException("FILE_WRITE", 87, "protocol", "wrong arguments: at most " + Machine.FILE_WRITE_MAX + " bytes");
        }
        parentExists("FILE_WRITE", "CreateFileW", path);
        Entry to = entries.get(key(path));
        if (to != null && mode == WriteMode.CREATE_NEW) {
            throw error("FILE_WRITE", 183, "MoveFileExW", path);
        }
        if (to != null && (to.folder() || loaded.test(path) || (to.attributes() & FileInfo.FILE_ATTRIBUTE_READONLY) != 0)) {
            throw error("FILE_WRITE", 5, "MoveFileExW", path);
        }
        entries.put(key(path), new Entry(to != null ? to.path() : path, bytes.clone(), 0x20, null, false));
    }

    SecureFolder secure(String path) {
        Entry e = entries.get(key(path));
        if (e == null) {
            parentExists("SECURE_FOLDER", "CreateDirectoryW", path);
            entries.put(key(path), new Entry(path, null, 0x10, SecureFolder.SDDL, true));
            return new SecureFolder(SecureFolder.State.CREATED, SecureFolder.SDDL, platformCannotAnswer
                    ? "created with " + SecureFolder.SDDL + ", but this platform (Wine) keeps no DACL, so its owner and DACL cannot be verified" : "");
        }
        if (!e.folder()) {
            throw error("SECURE_FOLDER", 267, "GetFileAttributesW", path);
        }
        if (platformCannotAnswer) {
            return new SecureFolder(SecureFolder.State.CANNOT_ANSWER, e.sddl(), "this platform (Wine) keeps no DACL");
        }
        return e.secure() ? new SecureFolder(SecureFolder.State.EXISTED_SECURE, e.sddl(), "")
                : new SecureFolder(SecureFolder.State.NOT_SECURE, e.sddl(), path + ": its owner or DACL is not Administrators and SYSTEM only");
    }

    /**
     * CHECK_INSTALLED: a folder whose security was set with {@link #security} and {@code secure} true, or
     * given {@link #INSTALLER_SDDL}, passes; one nobody set ({@link #USERS_SDDL}) does not.
     */
    SecureFolder check(String path) {
        Entry e = existing("CHECK_INSTALLED", "GetFileAttributesW", path);
        if (!e.folder() && !platformCannotAnswer) {
            // a file: it inherits its folder's DACL unless one was given (fileSecurity)
            return USERS_SDDL.equals(e.sddl()) ? new SecureFolder(SecureFolder.State.NOT_SECURE, e.sddl(), path + ": users may change it")
                    : new SecureFolder(SecureFolder.State.EXISTED_SECURE, e.sddl() == null ? "" : e.sddl(), "");
        }
        if (platformCannotAnswer) {
            return new SecureFolder(SecureFolder.State.CANNOT_ANSWER, e.sddl(), "this platform (Wine) keeps no DACL");
        }
        return e.secure() || INSTALLER_SDDL.equals(e.sddl()) ? new SecureFolder(SecureFolder.State.EXISTED_SECURE, e.sddl(), "")
                : new SecureFolder(SecureFolder.State.NOT_SECURE, e.sddl(), path + ": users may change it");
    }

    /** PATH_REMOTE: a UNC path by its syntax, a drive by {@link #driveTypes}; anything else 87, as the broker answers. */
    PathLocation location(String path) {
        String text = path.replace('/', '\\');
        boolean prefixed = text.startsWith("\\\\?\\") || text.startsWith("\\??\\");
        if (prefixed ? text.regionMatches(true, 4, "UNC\\", 0, 4)
                : text.startsWith("\\\\") && text.length() > 2 && text.charAt(2) != '\\'
                && !((text.charAt(2) == '.' || text.charAt(2) == '?') && (text.length() == 3 || text.charAt(3) == '\\'))) {
            return new PathLocation(true, PathLocation.NOT_ASKED, "UNC");
        }
        String rest = prefixed ? text.substring(4) : text;
        if (rest.length() < 3 || !Character.isLetter(rest.charAt(0)) || rest.charAt(1) != ':' || rest.charAt(2) != '\\') {
            throw new SessionException("PATH_REMOTE", 87, "protocol", "wrong arguments: expected a drive or UNC path, not " + path);
        }
        long type = driveTypes.getOrDefault(Character.toLowerCase(rest.charAt(0)), PathLocation.DRIVE_NO_ROOT_DIR);
        return new PathLocation(type == PathLocation.DRIVE_REMOTE, type, Character.toUpperCase(rest.charAt(0)) + ":\\");
    }

    private Entry existing(String request, String api, String path) {
        Entry e = entries.get(key(path));
        if (e == null) {
            throw error(request, isFolder(parent(key(path))) ? 2 : 3, api, path);
        }
        return e;
    }

    private void parentExists(String request, String api, String path) {
        if (!isFolder(parent(key(path)))) {
            throw error(request, 3, api, path);
        }
    }

    private Entry entry(String path) {
        Entry e = entries.get(key(path));
        if (e == null) {
            throw new IllegalArgumentException("no such file or folder in the fake: " + path);
        }
        return e;
    }

    private static SessionException error(String request, long code, String api, String path) {
        return new SessionException(request, code, api, path + ": " + api + " error " + code);
    }

    static String key(String path) {
        String text = path.replace('/', '\\');
        if (text.startsWith("\\\\?\\") || text.startsWith("\\??\\")) {
            text = text.substring(4);
        }
        while (text.endsWith("\\") && text.length() > 1) {
            text = text.substring(0, text.length() - 1);
        }
        return text.toLowerCase(Locale.ROOT);
    }

    private static String parent(String key) {
        int at = key.lastIndexOf('\\');
        return at < 0 ? "" : key.substring(0, at);
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
