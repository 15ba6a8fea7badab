package io.inuse.engine.cli;

import io.inuse.engine.machine.RegValue;
import java.io.ByteArrayOutputStream;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * A registry export as regedit and {@code reg export} write it: "Windows Registry Editor Version 5.00" in
 * UTF-16LE with a byte-order mark and CRLF line ends, or "REGEDIT4" in the ANSI code page (read as Windows-1252, its
 * hex(2) and hex(7) values one byte a character); {@code [key]}
 * sections, {@code "name"=} values of the forms {@code "text"}, {@code dword:}, {@code hex:} and
 * {@code hex(N):} with lines continued by a trailing backslash. A value or key being deleted ({@code =-},
 * {@code [-key]}) is no value. Anything else is refused with the line number and what is wrong.
 */
public final class RegFile {
    private static final String V5 = "Windows Registry Editor Version 5.00";
    private static final String V4 = "REGEDIT4";

    /** One value: its key as written (without brackets), its name ("" for the default value) and its data. */
    public record Value(String key, String name, RegValue value, int line) {
    }

    private final String file;
    private final List<Value> values;
    private final List<String> keys;

    private RegFile(String file, List<Value> values, List<String> keys) {
        this.file = file;
        this.values = List.copyOf(values);
        this.keys = List.copyOf(keys);
    }

    /** Thrown for a file that is not a registry export, or a value in it that cannot be read. */
    public static final class RegFileException extends Exception {
        RegFileException(String message) {
            super(message);
        }
    }

    public static RegFile parse(String file, byte[] bytes) throws RegFileException {
        String text;
        if (bytes.length >= 2 && (bytes[0] & 0xFF) == 0xFF && (bytes[1] & 0xFF) == 0xFE) {
            text = new String(bytes, 2, bytes.length - 2, StandardCharsets.UTF_16LE);
        } else if (bytes.length >= 3 && (bytes[0] & 0xFF) == 0xEF && (bytes[1] & 0xFF) == 0xBB && (bytes[2] & 0xFF) == 0xBF) {
            text = new String(bytes, 3, bytes.length - 3, StandardCharsets.UTF_8);
        } else {
            text = new String(bytes, Charset.forName("windows-1252"));
        }
        String[] lines = text.replace("\r\n", "\n").replace('\r', '\n').split("\n", -1);
        String header = lines.length == 0 ? "" : lines[0].strip();
        if (!header.equals(V5) && !header.equals(V4)) {
            throw new RegFileException(file + " is not a registry export: its first line is '" + abbreviate(header)
                    + "', not '" + V5 + "' (regedit, reg export) or '" + V4 + "'. Export the key with: reg export"
                    + " \"HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\" pending.reg");
        }
        boolean ansi = header.equals(V4);
        List<Value> values = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        String key = null;
        for (int i = 1; i < lines.length; i++) {
            int first = i + 1;
            String line = lines[i].strip();
            if (line.isEmpty() || line.startsWith(";")) {
                continue;
            }
            if (line.startsWith("[")) {
                if (!line.endsWith("]")) {
                    throw new RegFileException(file + " line " + first + ": a key line must end with ']': " + abbreviate(line));
                }
                key = line.startsWith("[-") ? null : line.substring(1, line.length() - 1);
                if (key != null) {
                    keys.add(key);
                }
                continue;
            }
            StringBuilder logical = new StringBuilder(line);
            while (logical.length() > 0 && logical.charAt(logical.length() - 1) == '\\' && isHexList(logical)) {
                logical.setLength(logical.length() - 1);
                if (i + 1 >= lines.length || lines[i + 1].isBlank()) {
                    throw new RegFileException(file + " line " + first + ": the value is truncated: its last line ends with '\\'"
                            + " and no line continues it");
                }
                logical.append(lines[++i].strip());
            }
            if (key == null) {
                continue;   // a value of a key being deleted, or before any key: nothing to read
            }
            Optional<Value> value = value(file, first, key, logical.toString(), ansi);
            if (value.isPresent()) {
                values.add(value.get());
            }
        }
        return new RegFile(file, values, keys);
    }

    public String file() {
        return file;
    }

    public List<Value> values() {
        return values;
    }

    /** The keys the export holds, as written. */
    public List<String> keys() {
        return keys;
    }

    /** The value of that name in the first key whose path ends with {@code keySuffix} (case-insensitive). */
    public Optional<Value> find(String keySuffix, String name) {
        for (Value v : values) {
            if (endsWithPath(v.key(), keySuffix) && v.name().equalsIgnoreCase(name)) {
                return Optional.of(v);
            }
        }
        return Optional.empty();
    }

    /** Whether the export has a key whose path ends with {@code keySuffix}. */
    public boolean hasKey(String keySuffix) {
        for (String key : keys) {
            if (endsWithPath(key, keySuffix)) {
                return true;
            }
        }
        return false;
    }

    private static boolean endsWithPath(String key, String suffix) {
        String k = key.toLowerCase(Locale.ROOT);
        String s = suffix.toLowerCase(Locale.ROOT);
        return k.equals(s) || k.endsWith("\\" + s);
    }

    /**
     * One value line. {@code ansi}: a REGEDIT4 export, whose hex(2) and hex(7) bytes are text in the ANSI code page
     * (one byte a character), made UTF-16LE here as the registry holds it.
     */
    private static Optional<Value> value(String file, int line, String key, String text, boolean ansi) throws RegFileException {
        String name;
        int rest;
        if (text.startsWith("@=")) {
            name = "";
            rest = 2;
        } else if (text.startsWith("\"")) {
            StringBuilder n = new StringBuilder();
            int at = readString(text, 1, n);
            if (at < 0 || at >= text.length() || text.charAt(at) != '=') {
                throw new RegFileException(file + " line " + line + ": not a value line (\"name\"=data): " + abbreviate(text));
            }
            name = n.toString();
            rest = at + 1;
        } else {
            throw new RegFileException(file + " line " + line + ": not a value line (\"name\"=data): " + abbreviate(text));
        }
        String data = text.substring(rest);
        String where = file + " line " + line + ", value '" + name + "' of [" + key + "]";
        if (data.equals("-")) {
            return Optional.empty();
        }
        if (data.startsWith("\"")) {
            StringBuilder s = new StringBuilder();
            int end = readString(data, 1, s);
            if (end != data.length()) {
                throw new RegFileException(where + ": the string is not closed, or text follows it");
            }
            return Optional.of(new Value(key, name, RegValue.sz(s.toString()), line));
        }
        if (data.startsWith("dword:")) {
            String hex = data.substring(6);
            if (hex.length() != 8 || !isHex(hex)) {
                throw new RegFileException(where + ": dword: needs 8 hex digits, not '" + abbreviate(hex) + "'");
            }
            long v = Long.parseLong(hex, 16);
            byte[] b = {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)};
            return Optional.of(new Value(key, name, new RegValue(RegValue.REG_DWORD, b), line));
        }
        int type;
        String list;
        if (data.startsWith("hex:")) {
            type = RegValue.REG_BINARY;
            list = data.substring(4);
        } else if (data.startsWith("hex(") && data.indexOf("):") > 4) {
            String t = data.substring(4, data.indexOf("):"));
            if (!isHex(t) || t.length() > 8) {
                throw new RegFileException(where + ": hex(" + t + ") is not a value type");
            }
            type = Integer.parseUnsignedInt(t, 16);
            list = data.substring(data.indexOf("):") + 2);
        } else {
            throw new RegFileException(where + ": the data '" + abbreviate(data) + "' is none of \"text\", dword:, hex: or hex(N):");
        }
        if (ansi && (type == RegValue.REG_EXPAND_SZ || type == RegValue.REG_MULTI_SZ)) {
            byte[] text8 = bytes(where, list, RegValue.REG_BINARY);
            String decoded = new String(text8, Charset.forName("windows-1252"));
            return Optional.of(new Value(key, name, new RegValue(type, decoded.getBytes(StandardCharsets.UTF_16LE)), line));
        }
        return Optional.of(new Value(key, name, new RegValue(type, bytes(where, list, type)), line));
    }

    private static byte[] bytes(String where, String list, int type) throws RegFileException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!list.isEmpty()) {
            for (String pair : list.split(",", -1)) {
                String p = pair.strip();
                if (p.length() != 2 || !isHex(p)) {
                    throw new RegFileException(where + ": '" + abbreviate(p) + "' is not a byte in hex (two digits between commas)"
                            + " after " + out.size() + " bytes: the value is damaged or truncated");
                }
                out.write(Integer.parseInt(p, 16));
            }
        }
        byte[] bytes = out.toByteArray();
        if ((type == RegValue.REG_MULTI_SZ || type == RegValue.REG_SZ || type == RegValue.REG_EXPAND_SZ) && bytes.length % 2 != 0) {
            throw new RegFileException(where + ": " + bytes.length + " bytes, an odd number, cannot be UTF-16 text: the value is truncated");
        }
        return bytes;
    }

    /** Reads a quoted string from {@code from} (after the opening quote) into {@code out}; the index after the closing quote, or -1. */
    private static int readString(String text, int from, StringBuilder out) {
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\\' && i + 1 < text.length()) {
                out.append(text.charAt(++i));
            } else if (c == '"') {
                return i + 1;
            } else {
                out.append(c);
            }
        }
        return -1;
    }

    /** Only a hex list continues on the next line (regedit writes a string on one line, whatever it ends with). */
    private static boolean isHexList(CharSequence line) {
        String text = line.toString();
        return text.contains("=hex:") || text.contains("=hex(");
    }

    private static boolean isHex(String text) {
        if (text.isEmpty()) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            if (Character.digit(text.charAt(i), 16) < 0) {
                return false;
            }
        }
        return true;
    }

    private static String abbreviate(String text) {
        return text.length() > 60 ? text.substring(0, 60) + "..." : text;
    }
}
