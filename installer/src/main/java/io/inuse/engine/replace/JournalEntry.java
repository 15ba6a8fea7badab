package io.inuse.engine.replace;

import io.inuse.engine.detect.Locker;
import io.inuse.engine.detect.LockersProperty;
import io.inuse.pe.FileVersion;
import java.util.ArrayList;
import java.util.List;

/**
 * One line of the {@link Journal}: an operation, the product code, the operation's fields and,
 * last, the reason. docs/journal.md describes every operation and field.
 *
 * <p>The line is the fields joined by TAB and ended by LF. In a field, {@code %} and every control
 * character (U+0000 to U+001F: TAB, CR and LF among them) are written as {@code %XX}, two
 * upper-case hex digits; nothing else is escaped, so paths stay readable. The encoding is
 * canonical: a line that decodes encodes back to the same text.
 */
public record JournalEntry(Op op, String productCode, List<String> fields) {
    /** A version field's value for a file without a version resource. */
    public static final String UNVERSIONED = "unversioned";
    /** A version field's value for no file at all (nothing was there, or nothing will be). */
    public static final String NONE = "none";
    /** BEGIN's kinds: the replace action's run (install, repair, upgrade), and the uninstall's. */
    public static final String INSTALL = "install";
    public static final String UNINSTALL = "uninstall";

    /** The operations; each lists its fields after the product code as {@code name:type}. */
    public enum Op {
        BEGIN("kind:kind", "run:run", "reason:reason"),
        BACKUP("target:path", "backup:path", "version:version", "reason:reason"),
        SAVED("target:path", "copy:path", "version:version", "reason:reason"),
        REPLACED("target:path", "from:version-or-none", "to:version", "reason:reason"),
        QUEUED("target:path", "temp:path", "source:path", "destination:text", "from:version", "to:version-or-none",
                "lockers:lockers", "reason:reason"),
        REQUEUED("target:path", "temp:path", "source:path", "destination:text", "from:version", "to:version-or-none",
                "lockers:lockers", "reason:reason"),
        CANCELLED("source:path", "destination:text", "reason:reason"),
        SUPERSEDED("target:path", "temp:path", "source:path", "destination:text", "reason:reason"),
        RESTORED("target:path", "backup:path", "version:version", "reason:reason"),
        REMOVED("target:path", "version:version", "reason:reason"),
        COMPLETED("reason:reason"),
        ROLLED_BACK("reason:reason");

        private final String[] names;
        private final String[] types;

        Op(String... specs) {
            names = new String[specs.length];
            types = new String[specs.length];
            for (int i = 0; i < specs.length; i++) {
                int colon = specs[i].indexOf(':');
                names[i] = specs[i].substring(0, colon);
                types[i] = specs[i].substring(colon + 1);
            }
        }

        /** The names of the fields after the product code, in order; the last is "reason". */
        public List<String> fieldNames() {
            return List.of(names);
        }

        /** True for BEGIN, COMPLETED and ROLLED_BACK, which mark runs rather than record operations. */
        public boolean isMarker() {
            return this == BEGIN || this == COMPLETED || this == ROLLED_BACK;
        }

        static Op named(String name) {
            for (Op op : values()) {
                if (op.name().equals(name)) {
                    return op;
                }
            }
            StringBuilder known = new StringBuilder();
            for (Op op : values()) {
                known.append(known.length() == 0 ? "" : ", ").append(op.name());
            }
            throw new IllegalArgumentException("'" + shown(name) + "' is not an operation of journal format 1 (" + known + ")");
        }
    }

    /** @throws IllegalArgumentException naming the operation, the field and what is wrong with it */
    public JournalEntry {
        if (op == null || productCode == null || fields == null) {
            throw new IllegalArgumentException("a journal entry needs an operation, a product code and its fields");
        }
        if (!isProductCode(productCode)) {
            throw new IllegalArgumentException(op + ": the product code '" + shown(productCode)
                    + "' is not a GUID in braces with upper-case hex digits, such as {0E4BCAD8-6F21-4C51-9F2C-6DB6A6A8D2B1}");
        }
        if (fields.size() != op.names.length) {
            throw new IllegalArgumentException(op + " has " + (fields.size() + 2) + " fields, not " + (op.names.length + 2)
                    + " (operation, product code, " + String.join(", ", op.names) + ")");
        }
        for (int i = 0; i < fields.size(); i++) {
            String value = fields.get(i);
            if (value == null) {
                throw new IllegalArgumentException(op + ": field '" + op.names[i] + "' is missing");
            }
            String problem = problem(op.types[i], value);
            if (problem == null && hasUnpairedSurrogate(value)) {
                problem = "holds an unpaired UTF-16 surrogate, which UTF-8 cannot carry";
            }
            if (problem != null) {
                throw new IllegalArgumentException(op + ": field '" + op.names[i] + "' ('" + shown(value) + "') " + problem);
            }
        }
        if ((op == Op.QUEUED || op == Op.REQUEUED) && fields.get(3).isEmpty() != fields.get(5).equals(NONE)) {
            throw new IllegalArgumentException("QUEUED: an empty destination (a delete at the next reboot) goes with the version"
                    + " 'none' after it, and only then; here destination '" + shown(fields.get(3)) + "' and to '" + fields.get(5) + "'");
        }
        fields = List.copyOf(fields);
    }

    /**
     * A run opens. {@code run} is the install's run id ({@link #isRunId}): the detect action draws it and
     * hands it to the replace action and its rollback, so that a rollback undoes only the run its own
     * install began, never an earlier one.
     */
    public static JournalEntry begin(String productCode, String kind, String run, String reason) {
        return new JournalEntry(Op.BEGIN, productCode, List.of(kind, run, reason));
    }

    public static JournalEntry backup(String productCode, String target, String backup, String version, String reason) {
        return new JournalEntry(Op.BACKUP, productCode, List.of(target, backup, version, reason));
    }

    /** The file in place copied for this run's rollback only (it is not the original: that is BACKUP's). */
    public static JournalEntry saved(String productCode, String target, String copy, String version, String reason) {
        return new JournalEntry(Op.SAVED, productCode, List.of(target, copy, version, reason));
    }

    public static JournalEntry replaced(String productCode, String target, String from, String to, String reason) {
        return new JournalEntry(Op.REPLACED, productCode, List.of(target, from, to, reason));
    }

    /** A MoveFileEx(DELAY_UNTIL_REBOOT) entry written: {@code source} and {@code destination} exactly as written to the registry. */
    public static JournalEntry queued(String productCode, String target, String temp, String source, String destination,
            String from, String to, List<Locker> lockers, String reason) {
        return new JournalEntry(Op.QUEUED, productCode,
                List.of(target, temp, source, destination, from, to, LockersProperty.encode(lockers), reason));
    }

    /**
     * The rollback of a SUPERSEDED: the earlier run's entry (its exact strings, versions and lockers) queued
     * again. An undo step, unlike QUEUED, so that a rollback run again does not take it for the run's own.
     */
    public static JournalEntry requeued(String productCode, String target, String temp, String source, String destination,
            String from, String to, List<Locker> lockers, String reason) {
        return new JournalEntry(Op.REQUEUED, productCode,
                List.of(target, temp, source, destination, from, to, LockersProperty.encode(lockers), reason));
    }

    /**
     * This run removed an earlier run's queued entry (its exact strings) onto the same target, which would
     * undo this run at the next boot; the earlier run's temporary copy is kept for this run's rollback.
     */
    public static JournalEntry superseded(String productCode, String target, String temp, String source, String destination,
            String reason) {
        return new JournalEntry(Op.SUPERSEDED, productCode, List.of(target, temp, source, destination, reason));
    }

    public static JournalEntry cancelled(String productCode, String source, String destination, String reason) {
        return new JournalEntry(Op.CANCELLED, productCode, List.of(source, destination, reason));
    }

    public static JournalEntry restored(String productCode, String target, String backup, String version, String reason) {
        return new JournalEntry(Op.RESTORED, productCode, List.of(target, backup, version, reason));
    }

    public static JournalEntry removed(String productCode, String target, String version, String reason) {
        return new JournalEntry(Op.REMOVED, productCode, List.of(target, version, reason));
    }

    public static JournalEntry completed(String productCode, String reason) {
        return new JournalEntry(Op.COMPLETED, productCode, List.of(reason));
    }

    public static JournalEntry rolledBack(String productCode, String reason) {
        return new JournalEntry(Op.ROLLED_BACK, productCode, List.of(reason));
    }

    /** A version field's text for a file's version: {@code "1.2.0.0"}, or {@link #UNVERSIONED} for null. */
    public static String versionText(FileVersion version) {
        return version == null ? UNVERSIONED : version.toString();
    }

    /** The field of that name; IllegalArgumentException when this operation has none. */
    public String field(String name) {
        for (int i = 0; i < op.names.length; i++) {
            if (op.names[i].equals(name)) {
                return fields.get(i);
            }
        }
        throw new IllegalArgumentException(op + " has no field '" + name + "' (it has " + String.join(", ", op.names) + ")");
    }

    public String reason() {
        return fields.get(fields.size() - 1);
    }

    /** A version field's value: null for {@link #UNVERSIONED} and {@link #NONE}. */
    public FileVersion version(String name) {
        String text = field(name);
        for (int i = 0; i < op.names.length; i++) {
            if (op.names[i].equals(name) && !op.types[i].startsWith("version")) {
                throw new IllegalArgumentException(op + ": field '" + name + "' is not a version");
            }
        }
        if (text.equals(UNVERSIONED) || text.equals(NONE)) {
            return null;
        }
        int[] parts = new int[4];
        int part = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '.') {
                part++;
            } else {
                parts[part] = parts[part] * 10 + (c - '0');
            }
        }
        return new FileVersion(parts[0], parts[1], parts[2], parts[3]);
    }

    /** The lockers of a QUEUED entry, as INUSE_LOCKERS encodes them (window titles are not kept). */
    public List<Locker> lockers() {
        return LockersProperty.decode(field("lockers"));
    }

    /** The line, LF included. */
    public String line() {
        StringBuilder line = new StringBuilder(op.name()).append('\t').append(productCode);
        for (String field : fields) {
            line.append('\t');
            escape(field, line);
        }
        return line.append('\n').toString();
    }

    /** The entry of one line's text (without its LF); IllegalArgumentException saying what is wrong. */
    static JournalEntry parseLine(String text) {
        if (text.isEmpty()) {
            throw new IllegalArgumentException("is empty; every line after the header is one operation");
        }
        List<String> raw = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= text.length(); i++) {
            if (i == text.length() || text.charAt(i) == '\t') {
                raw.add(text.substring(start, i));
                start = i + 1;
            } else if (text.charAt(i) < 0x20) {
                throw new IllegalArgumentException("holds a raw control character U+" + hex4(text.charAt(i)) + " at column " + (i + 1)
                        + (text.charAt(i) == '\r' ? " (a CR: was the file saved by an editor that changes line ends?)" : "")
                        + "; the journal writes control characters as %XX");
            }
        }
        Op op = Op.named(raw.get(0));
        if (raw.size() != op.names.length + 2) {
            throw new IllegalArgumentException(op + " has " + raw.size() + " fields, not " + (op.names.length + 2)
                    + " (operation, product code, " + String.join(", ", op.names) + ")");
        }
        List<String> fields = new ArrayList<>();
        for (int i = 2; i < raw.size(); i++) {
            fields.add(unescape(op, op.names[i - 2], raw.get(i)));
        }
        return new JournalEntry(op, raw.get(1), fields);
    }

    private static String problem(String type, String value) {
        switch (type) {
            case "path":
                return value.isEmpty() ? "is empty" : null;
            case "reason":
                return value.isEmpty() ? "is empty: every line says why" : null;
            case "run":
                return isRunId(value) ? null : "is not a run id: 32 lower-case hex digits";
            case "kind":
                return value.equals(INSTALL) || value.equals(UNINSTALL) ? null : "is neither 'install' nor 'uninstall'";
            case "version":
                return value.equals(UNVERSIONED) || isVersion(value) ? null
                        : "is not a version: four numbers from 0 to 65535 without leading zeros (1.2.0.0), or 'unversioned'";
            case "version-or-none":
                return value.equals(UNVERSIONED) || value.equals(NONE) || isVersion(value) ? null
                        : "is not a version: four numbers from 0 to 65535 without leading zeros (1.2.0.0), 'unversioned' or 'none'";
            case "lockers":
                try {
                    LockersProperty.decode(value);
                    return null;
                } catch (IllegalArgumentException e) {
                    return "is not a list of lockers as INUSE_LOCKERS writes it: " + e.getMessage();
                }
            default:
                return null;
        }
    }

    private static boolean isVersion(String text) {
        int parts = 0;
        int start = 0;
        for (int i = 0; i <= text.length(); i++) {
            if (i < text.length() && text.charAt(i) != '.') {
                if (text.charAt(i) < '0' || text.charAt(i) > '9' || i - start >= 5) {
                    return false;
                }
                continue;
            }
            String part = text.substring(start, i);
            if (part.isEmpty() || (part.length() > 1 && part.charAt(0) == '0') || Integer.parseInt(part) > 0xFFFF) {
                return false;
            }
            parts++;
            start = i + 1;
        }
        return parts == 4;
    }

    /** A run id: 32 lower-case hex digits (128 random bits). */
    public static boolean isRunId(String text) {
        if (text == null || text.length() != 32) {
            return false;
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (!(c >= '0' && c <= '9') && !(c >= 'a' && c <= 'f')) {
                return false;
            }
        }
        return true;
    }

    private static boolean isProductCode(String text) {
        if (text.length() != 38 || text.charAt(0) != '{' || text.charAt(37) != '}') {
            return false;
        }
        for (int i = 1; i < 37; i++) {
            char c = text.charAt(i);
            boolean dash = i == 9 || i == 14 || i == 19 || i == 24;
            if (dash ? c != '-' : !((c >= '0' && c <= '9') || (c >= 'A' && c <= 'F'))) {
                return false;
            }
        }
        return true;
    }

    private static boolean hasUnpairedSurrogate(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return true;
            }
        }
        return false;
    }

    private static void escape(String value, StringBuilder out) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == '%') {
                out.append('%').append(HEX.charAt(c >> 4)).append(HEX.charAt(c & 0xF));
            } else {
                out.append(c);
            }
        }
    }

    private static final String HEX = "0123456789ABCDEF";

    private static String unescape(Op op, String name, String value) {
        StringBuilder out = new StringBuilder(value.length());
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c != '%') {
                out.append(c);
                continue;
            }
            int high = i + 1 < value.length() ? HEX.indexOf(value.charAt(i + 1)) : -1;
            int low = i + 2 < value.length() ? HEX.indexOf(value.charAt(i + 2)) : -1;
            int code = high * 16 + low;
            if (high < 0 || low < 0 || (code >= 0x20 && code != '%')) {
                // the raw field holds no control character (parseLine checked), so it is shown as it is in the file
                throw new IllegalArgumentException(op + ": field '" + name + "' ('" + cut(value) + "') has '"
                        + value.substring(i, Math.min(i + 3, value.length())) + "' at character " + (i + 1) + " of the field"
                        + ", not an escape this format writes (%25 for '%', %00 to %1F for control characters, upper-case hex)");
            }
            out.append((char) code);
            i += 2;
        }
        return out.toString();
    }

    /** A value as an error message shows it: escaped like a field, cut at 80 characters. */
    static String shown(String value) {
        StringBuilder out = new StringBuilder();
        escape(cut(value), out);
        return out.toString();
    }

    private static String cut(String value) {
        return value.length() > 80 ? value.substring(0, 80) + "..." : value;
    }

    private static String hex4(char c) {
        return "" + HEX.charAt(c >> 12) + HEX.charAt((c >> 8) & 0xF) + HEX.charAt((c >> 4) & 0xF) + HEX.charAt(c & 0xF);
    }
}
