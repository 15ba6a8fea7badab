package io.inuse.engine.machine;

import io.inuse.engine.session.SessionException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The registry of {@link FakeMachine}: keys and value names compared without regard to case, as
 * Windows compares them, values kept as type and raw bytes. Writes are refused as the broker
 * refuses them (87: a type it does not write, a DWORD that is not 4 bytes, ...). Also the fake
 * PendingFileRenameOperations that a delayed move appends to, in Windows' format.
 */
public final class FakeRegistry {
    public static final String SESSION_MANAGER = "SYSTEM\\CurrentControlSet\\Control\\Session Manager";
    public static final String PENDING = "PendingFileRenameOperations";

    /** "HKLM\\key" (lower case) → value name (lower case) → value */
    private final Map<String, Map<String, RegValue>> keys = new LinkedHashMap<>();

    public Optional<RegValue> read(RegRoot root, String key, String name) {
        Map<String, RegValue> values = keys.get(keyOf(root, key));
        return values == null ? Optional.empty() : Optional.ofNullable(values.get(name.toLowerCase(Locale.ROOT)));
    }

    public void write(RegRoot root, String key, String name, RegValue value) {
        if (key.isEmpty() || key.startsWith("\\") || !value.writable() || value.length() > Machine.FILE_WRITE_MAX) {
            throw new SessionException("REG_WRITE", 87, "protocol", "wrong arguments: " + root + "\\" + key + " " + name + " " + value);
        }
        keys.computeIfAbsent(keyOf(root, key), k -> new LinkedHashMap<>()).put(name.toLowerCase(Locale.ROOT), value);
    }

    public boolean delete(RegRoot root, String key, String name) {
        Map<String, RegValue> values = keys.get(keyOf(root, key));
        return values != null && values.remove(name.toLowerCase(Locale.ROOT)) != null;
    }

    /** RegDeleteKeyExW: the key and its values; a key with subkeys is refused with 5, as Windows does. */
    public boolean deleteKey(RegRoot root, String key) {
        String name = keyOf(root, key);
        for (String other : keys.keySet()) {
            if (other.startsWith(name + "\\") && !keys.get(other).isEmpty()) {
                throw new io.inuse.engine.session.SessionException("REG_DELETE_KEY", 5, "RegDeleteKeyExW",
                        "cannot delete the registry key: RegDeleteKeyExW error 5");
            }
        }
        return keys.remove(name) != null;
    }

    /** The keys under {@code key} that hold values (the fake keeps no empty key). */
    public List<String> keysUnder(RegRoot root, String key) {
        List<String> found = new java.util.ArrayList<>();
        String name = keyOf(root, key) + "\\";
        for (Map.Entry<String, Map<String, RegValue>> e : keys.entrySet()) {
            if (e.getKey().startsWith(name) && !e.getValue().isEmpty()) {
                found.add(e.getKey());
            }
        }
        return found;
    }

    /**
     * Appends one operation to PendingFileRenameOperations as Windows (and Wine's MoveFileExW)
     * writes it: the value's final NUL is dropped, then {@code \??\source\0}, then
     * {@code !\??\destination\0} ({@code !} when replacing) or, for a deletion, {@code \0}, then the
     * final NUL again, all UTF-16LE.
     */
    public void schedule(String source, String destination, boolean replace) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Optional<RegValue> now = read(RegRoot.HKLM, SESSION_MANAGER, PENDING);
        if (now.isPresent()) {
            byte[] old = now.get().data();
            int keep = old.length;
            if (keep >= 4 && old[keep - 1] == 0 && old[keep - 2] == 0 && old[keep - 3] == 0 && old[keep - 4] == 0) {
                keep -= 2;
            }
            bytes.write(old, 0, keep);
        }
        utf16z(bytes, ntPath(source));
        utf16z(bytes, destination == null ? "" : (replace ? "!" : "") + ntPath(destination));
        utf16z(bytes, "");
        write(RegRoot.HKLM, SESSION_MANAGER, PENDING, new RegValue(RegValue.REG_MULTI_SZ, bytes.toByteArray()));
    }

    /** The strings of a REG_MULTI_SZ value's bytes, up to its terminating empty string (for tests). */
    public static List<String> strings(RegValue value) {
        String text = new String(value.data(), StandardCharsets.UTF_16LE);
        List<String> out = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == 0) {
                out.add(text.substring(start, i));
                start = i + 1;
            }
        }
        return out;
    }

    /** "C:\x" or "\\?\C:\x" as the NT path Windows records: "\??\C:\x". */
    static String ntPath(String path) {
        String text = path.startsWith("\\\\?\\") || path.startsWith("\\??\\") ? path.substring(4) : path;
        return "\\??\\" + text;
    }

    private static void utf16z(ByteArrayOutputStream out, String text) {
        byte[] b = (text + "\0").getBytes(StandardCharsets.UTF_16LE);
        out.write(b, 0, b.length);
    }

    private static String keyOf(RegRoot root, String key) {
        return (root + "\\" + key).toLowerCase(Locale.ROOT);
    }
}
