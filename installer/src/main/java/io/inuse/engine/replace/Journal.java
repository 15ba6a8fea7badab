package io.inuse.engine.replace;

import io.inuse.engine.replace.JournalEntry.Op;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A product's journal: what inuse did to the machine for this product, one line per operation,
 * so that rollback and uninstall undo exactly that and nothing else (docs/journal.md).
 *
 * <pre>
 *   inuse-journal 1                     the header, format 1
 *   BEGIN  {PRODUCT-CODE}  install  ... a run of the replace action opens
 *   BACKUP ... REPLACED ... QUEUED ...  its operations, each with its reason
 *   COMPLETED  {PRODUCT-CODE}  ...      the run did everything it meant to
 * </pre>
 *
 * UTF-8 without a byte order mark, every line ended by LF (the last one too), fields separated by
 * TAB ({@link JournalEntry}). The journal only grows: the writer appends {@link #line} before the
 * operation it records. Parsing is strict, and the encoding canonical: bytes that parse encode back
 * to the same bytes; anything else is a {@link JournalException} naming the line.
 *
 * <p>Rules between lines (a journal breaking one was damaged or edited): every line after the
 * header belongs to a run that a BEGIN opens; one product code per run (the journal lives in the
 * product's folder, shared by its versions, so that an upgrade finds the original's backup and
 * what earlier versions did; each version's runs carry its own ProductCode); at most one COMPLETED
 * and one ROLLED_BACK per run; after COMPLETED no BACKUP, SAVED, REPLACED or SUPERSEDED, only undo steps (CANCELLED,
 * RESTORED, REMOVED, and QUEUED for a restore held until the reboot) and ROLLED_BACK; after
 * ROLLED_BACK only a new BEGIN. A run that has neither marker was interrupted;
 * a BEGIN may follow it.
 */
public final class Journal {
    public static final String HEADER = "inuse-journal 1";
    private static final Journal EMPTY = new Journal(List.of());

    private final List<JournalEntry> entries;

    /** A run: a BEGIN line and the lines after it up to the next BEGIN. */
    public record Run(int line, JournalEntry begin, List<JournalEntry> entries) {
        public Run {
            entries = List.copyOf(entries);
        }

        /** "install" or "uninstall". */
        public String kind() {
            return begin.field("kind");
        }

        /** The run id of the install that began the run. */
        public String runId() {
            return begin.field("run");
        }

        public boolean completed() {
            return has(Op.COMPLETED);
        }

        public boolean rolledBack() {
            return has(Op.ROLLED_BACK);
        }

        /** The run's operations in the order they were written, without the markers. */
        public List<JournalEntry> operations() {
            List<JournalEntry> operations = new ArrayList<>();
            for (JournalEntry entry : entries) {
                if (!entry.op().isMarker()) {
                    operations.add(entry);
                }
            }
            return operations;
        }

        private boolean has(Op op) {
            for (JournalEntry entry : entries) {
                if (entry.op() == op) {
                    return true;
                }
            }
            return false;
        }
    }

    private Journal(List<JournalEntry> entries) {
        this.entries = List.copyOf(entries);
    }

    /** The journal of a product that has done nothing yet: the header alone. */
    public static Journal empty() {
        return EMPTY;
    }

    /**
     * The journal in {@code bytes}.
     *
     * @param file names the journal in messages (usually its path)
     * @throws JournalException naming the file, the line and what is wrong
     */
    public static Journal parse(String file, byte[] bytes) throws JournalException {
        if (bytes.length == 0) {
            throw new JournalException(file, 0, "is empty: a journal starts with the line '" + HEADER + "'");
        }
        CharsetDecoder utf8 = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        List<JournalEntry> entries = new ArrayList<>();
        Rules rules = new Rules();
        int line = 0;
        for (int start = 0; start < bytes.length; ) {
            line++;
            int end = start;
            while (end < bytes.length && bytes[end] != '\n') {
                end++;
            }
            if (end == bytes.length) {
                throw new JournalException(file, line, "does not end with a line feed: the journal was cut short while it"
                        + " was written (a power loss or a full disk?)");
            }
            ByteBuffer in = ByteBuffer.wrap(bytes, start, end - start);
            String text;
            try {
                text = utf8.decode(in).toString();
            } catch (CharacterCodingException e) {
                throw new JournalException(file, line, "is not valid UTF-8 (at byte offset " + in.position() + " of the file)");
            }
            if (line == 1) {
                checkHeader(file, text);
            } else {
                JournalEntry entry;
                try {
                    entry = JournalEntry.parseLine(text);
                } catch (IllegalArgumentException e) {
                    throw new JournalException(file, line, e.getMessage());
                }
                String broken = rules.accept(entry, line);
                if (broken != null) {
                    throw new JournalException(file, line, broken);
                }
                entries.add(entry);
            }
            start = end + 1;
        }
        return new Journal(entries);
    }

    private static void checkHeader(String file, String text) throws JournalException {
        if (text.equals(HEADER)) {
            return;
        }
        String problem;
        if (text.startsWith("\uFEFF")) {
            problem = "starts with a byte order mark; a journal is UTF-8 without one (was it saved by an editor?)";
        } else if (text.equals(HEADER + "\r")) {
            problem = "ends with a CR; a journal's lines end with LF alone (was it saved by an editor that changes line ends?)";
        } else if (text.startsWith("inuse-journal ") && isNumber(text.substring(14))) {
            problem = "is '" + JournalEntry.shown(text) + "': this inuse reads journal format 1 only (did a newer inuse write it?)";
        } else {
            problem = "is '" + JournalEntry.shown(text) + "', not the header '" + HEADER + "': this is not an inuse journal";
        }
        throw new JournalException(file, 1, problem);
    }

    private static boolean isNumber(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) < '0' || text.charAt(i) > '9') {
                return false;
            }
        }
        return !text.isEmpty();
    }

    /**
     * True when this journal's last replacement of {@code path} (now or queued) put exactly {@code version} there.
     * A queued move that a later line superseded or cancelled did not happen and does not count; neither does a
     * queued delete (it names a file renamed aside, not what is in place).
     */
    public boolean lastPut(String path, String version) {
        java.util.Map<String, Integer> voided = new java.util.HashMap<>();
        for (int i = 0; i < entries.size(); i++) {
            JournalEntry entry = entries.get(i);
            if (entry.op() == Op.SUPERSEDED || entry.op() == Op.CANCELLED) {
                voided.put(entry.field("source") + "\n" + entry.field("destination"), i);
            }
        }
        boolean ours = false;
        for (int i = 0; i < entries.size(); i++) {
            JournalEntry entry = entries.get(i);
            boolean queued = entry.op() == Op.QUEUED || entry.op() == Op.REQUEUED;
            boolean move = entry.op() == Op.REPLACED || (queued && !entry.field("destination").isEmpty()
                    && voided.getOrDefault(entry.field("source") + "\n" + entry.field("destination"), -1) < i);
            if (move && PendingRename.samePath(entry.field("target"), path)) {
                ours = entry.field("to").equals(version);
            }
        }
        return ours;
    }

    /**
     * This journal with {@code entry} at its end.
     *
     * @throws IllegalArgumentException when the entry breaks a rule between lines (see the class comment)
     */
    public Journal append(JournalEntry entry) {
        Rules rules = new Rules();
        for (int i = 0; i < entries.size(); i++) {
            rules.accept(entries.get(i), i + 2);
        }
        String broken = rules.accept(entry, entries.size() + 2);
        if (broken != null) {
            throw new IllegalArgumentException("line " + (entries.size() + 2) + " of the journal: " + broken);
        }
        List<JournalEntry> longer = new ArrayList<>(entries);
        longer.add(entry);
        return new Journal(longer);
    }

    public List<JournalEntry> entries() {
        return entries;
    }

    /** The product code of its last run, "" when it has none. */
    public String productCode() {
        return entries.isEmpty() ? "" : entries.get(entries.size() - 1).productCode();
    }

    /** The runs, in order; the first line of a run is {@link Run#line()}. */
    public List<Run> runs() {
        List<Run> runs = new ArrayList<>();
        int begin = -1;
        for (int i = 0; i <= entries.size(); i++) {
            if (i == entries.size() || entries.get(i).op() == Op.BEGIN) {
                if (begin >= 0) {
                    runs.add(new Run(begin + 2, entries.get(begin), entries.subList(begin + 1, i)));
                }
                begin = i;
            }
        }
        return runs;
    }

    /** The whole file: the header and every line. */
    public byte[] encode() {
        StringBuilder text = new StringBuilder(HEADER).append('\n');
        for (JournalEntry entry : entries) {
            text.append(entry.line());
        }
        return text.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The bytes to append to the file for {@code entry}: its line, LF included. */
    public static byte[] line(JournalEntry entry) {
        return entry.line().getBytes(StandardCharsets.UTF_8);
    }

    /** The rules between lines, applied one line at a time. */
    private static final class Rules {
        private String productCode;
        private int productLine;
        private int begin;
        private int completed;
        private int rolledBack;
        /** Whether the current run is an uninstall's, whose undo puts the product's file back (REPLACED). */
        private boolean uninstall;

        /** Null when {@code entry} may come next at {@code line}, else what is wrong. */
        String accept(JournalEntry entry, int line) {
            Op op = entry.op();
            if (op != Op.BEGIN && productCode != null && !productCode.equals(entry.productCode())) {
                return "the product code " + entry.productCode() + " differs from " + productCode + " of line " + productLine
                        + ": a run holds one product version's operations";
            }
            if (op == Op.BEGIN) {
                // a later version of the product (a major upgrade: another ProductCode) opens its own run
                productCode = entry.productCode();
                productLine = line;
                begin = line;
                completed = 0;
                rolledBack = 0;
                uninstall = JournalEntry.UNINSTALL.equals(entry.field("kind"));
                return null;
            }
            if (begin == 0) {
                return op + " before any BEGIN: every operation belongs to a run that a BEGIN line opens";
            }
            if (rolledBack > 0) {
                return op + " after the run of line " + begin + " was rolled back at line " + rolledBack
                        + ": only a BEGIN may follow ROLLED_BACK";
            }
            if (op == Op.COMPLETED && completed > 0) {
                return "a second COMPLETED in the run of line " + begin + " (the first is at line " + completed + ")";
            }
            if (completed > 0 && (op == Op.BACKUP || op == Op.SAVED || op == Op.SUPERSEDED || (op == Op.REPLACED && !uninstall))) {
                return op + " after the run of line " + begin + " was completed at line " + completed
                        + ": a completed run takes only undo steps (CANCELLED, RESTORED, REMOVED, QUEUED, REQUEUED; an uninstall's"
                        + " REPLACED) and ROLLED_BACK";
            }
            if (op == Op.COMPLETED) {
                completed = line;
            } else if (op == Op.ROLLED_BACK) {
                rolledBack = line;
            }
            return null;
        }
    }
}
