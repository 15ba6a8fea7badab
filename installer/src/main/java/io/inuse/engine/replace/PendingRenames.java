package io.inuse.engine.replace;

import io.inuse.engine.machine.RegValue;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The codec of one PendingFileRenameOperations value (docs/pending-renames.md): the raw REG_MULTI_SZ
 * bytes the broker reads become an immutable list of {@link PendingRename}s, and the list becomes
 * the bytes to write back. It edits only what it is told to: every entry it keeps is written back as
 * the exact bytes it was read as, and a list that was not edited encodes to exactly the bytes it was
 * decoded from.
 *
 * <p>The value is pairs of NUL-terminated UTF-16LE strings, {@code source\0destination\0}, then one
 * more NUL (MoveFileEx remarks; Wine's {@code add_boot_rename_entry}). Read two strings at a time, as
 * the boot-time reader does: a source is never empty, so an empty string where a source belongs ends
 * the list. Accepted endings: that final NUL (what MoveFileEx writes), no final NUL (the value ends
 * right after the last destination's NUL), or a trailing empty string (two NULs after the last
 * pair); an empty value is 0 bytes, one NUL or two. Anything else is corrupt, a
 * {@link PendingRenamesException}. An edited list is always written with the one final NUL.
 *
 * <p>The engine writes only a list that {@link #isChanged() changed}, and deletes the value instead
 * of writing it when the list {@link #isEmpty() is empty}, as Windows' own boot-time processing does.
 */
public final class PendingRenames {
    /** The key both values live in, under HKEY_LOCAL_MACHINE. */
    public static final String KEY = "SYSTEM\\CurrentControlSet\\Control\\Session Manager";
    /** The value MoveFileEx appends to. */
    public static final String VALUE = "PendingFileRenameOperations";
    /** Where Windows continues when {@link #VALUE} is full; read after it. */
    public static final String VALUE_2 = "PendingFileRenameOperations2";

    private static final byte[] EMPTY = {0, 0};
    private static final int QUOTE_LIMIT = 120;

    private final String valueName;
    private final List<PendingRename> entries;
    /** The bytes decoded, while the list is as read; null once edited, or when the value did not exist. */
    private final byte[] asRead;
    private final boolean changed;

    private PendingRenames(String valueName, List<PendingRename> entries, byte[] asRead, boolean changed) {
        this.valueName = valueName;
        this.entries = entries;
        this.asRead = asRead;
        this.changed = changed;
    }

    /**
     * The entries of the value {@code valueName} whose data is {@code raw}; null {@code raw} means
     * the value does not exist, which is an empty list.
     *
     * @throws PendingRenamesException when the bytes are not an accepted form; the message names the
     *         value, the byte offset and what is wrong
     */
    public static PendingRenames decode(String valueName, byte[] raw) throws PendingRenamesException {
        if (valueName == null || valueName.isEmpty()) {
            throw new IllegalArgumentException("a pending-rename list needs the name of its registry value, such as " + VALUE);
        }
        if (raw == null) {
            return new PendingRenames(valueName, List.of(), null, false);
        }
        return new PendingRenames(valueName, new Decoder(valueName, raw).entries(), raw.clone(), false);
    }

    /** The registry value this list was read from and is written to. */
    public String valueName() {
        return valueName;
    }

    /** The entries in the order Windows performs them. */
    public List<PendingRename> entries() {
        return entries;
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    /** Whether the list differs from what was decoded: only then is there anything to write. */
    public boolean isChanged() {
        return changed;
    }

    /** The list without the entries {@code which} accepts; this same list when it accepts none. */
    public PendingRenames withoutEntries(Predicate<? super PendingRename> which) {
        Objects.requireNonNull(which, "which");
        List<PendingRename> kept = new ArrayList<>(entries.size());
        for (PendingRename entry : entries) {
            if (!which.test(entry)) {
                kept.add(entry);
            }
        }
        return kept.size() == entries.size() ? this : edited(kept);
    }

    /**
     * The list without the entries whose source is one of {@code paths}, compared as
     * {@link PendingRename#sourceIs} does (prefix and case do not matter, the marker is not part of
     * the path).
     */
    public PendingRenames withoutSources(Collection<String> paths) {
        List<String> targets = List.copyOf(paths);
        List<PendingRename> kept = new ArrayList<>(entries.size());
        for (PendingRename entry : entries) {
            if (!sourceIn(entry, targets)) {
                kept.add(entry);
            }
        }
        return kept.size() == entries.size() ? this : edited(kept);
    }

    /** The list with {@code entry} appended: performed after every entry already there. */
    public PendingRenames plus(PendingRename entry) {
        Objects.requireNonNull(entry, "entry");
        List<PendingRename> more = new ArrayList<>(entries.size() + 1);
        more.addAll(entries);
        more.add(entry);
        return edited(more);
    }

    /**
     * The value's data: for a list as decoded, exactly the bytes it was decoded from; for an edited
     * list, the bytes of each entry (those read, verbatim) and one final NUL. An empty list gives
     * one NUL, an empty REG_MULTI_SZ, but the engine deletes the value instead of writing that.
     */
    public byte[] encode() {
        if (!changed && asRead != null) {
            return asRead.clone();
        }
        int size = EMPTY.length;
        for (PendingRename entry : entries) {
            size += entry.rawLength();
        }
        byte[] out = new byte[size];
        int at = 0;
        for (PendingRename entry : entries) {
            entry.copyRawTo(out, at);
            at += entry.rawLength();
        }
        return out; // the last two bytes stay 0: the final NUL
    }

    @Override
    public String toString() {
        return valueName + " " + entries + (changed ? " (changed)" : "");
    }

    private PendingRenames edited(List<PendingRename> newEntries) {
        return new PendingRenames(valueName, Collections.unmodifiableList(newEntries), null, true);
    }

    private static boolean sourceIn(PendingRename entry, List<String> paths) {
        for (String path : paths) {
            if (entry.sourceIs(path)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Why no boot-time move may be appended to PendingFileRenameOperations as it is, if there is a
     * reason: MoveFileExW appends its entry to the value as it finds it, so a value that is damaged (or
     * not REG_MULTI_SZ) would swallow it (Wine joins the new source to a last string without its NUL)
     * and Windows would not carry it out at boot. The value belongs to other software: never repaired here.
     */
    public static Optional<String> appendProblem(Optional<RegValue> value) {
        String problem;
        if (value.isEmpty()) {
            return Optional.empty();
        } else if (value.get().type() != RegValue.REG_MULTI_SZ) {
            problem = VALUE + " is not REG_MULTI_SZ (type " + value.get().type() + ")";
        } else {
            try {
                decode(VALUE, value.get().data());
                return Optional.empty();
            } catch (PendingRenamesException e) {
                problem = e.getMessage();
            }
        }
        return Optional.of(problem + ". A move at the next reboot would be appended to it, and Windows could not carry it out at"
                + " boot. The value is other software's and is left as it is: restart the machine (Windows empties the value at"
                + " boot), or export HKLM\\" + KEY + " and remove the damaged value");
    }

    /**
     * For reading only, never for writing back: every pair of neighbouring strings of a value that
     * {@link #decode} refused (NUL-separated UTF-16, an odd last byte dropped), each taken as a
     * possible (source, destination) entry. A damaged value may still hold an entry whose pairing
     * is intact; the caller looks for one it recognises, and knows that a match is a guess.
     */
    public static List<PendingRename> scanDamaged(byte[] raw) {
        int count = raw.length / 2;
        List<String> strings = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (int i = 0; i < count; i++) {
            char c = (char) ((raw[2 * i] & 0xFF) | (raw[2 * i + 1] & 0xFF) << 8);
            if (c == 0) {
                strings.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        if (current.length() > 0) {
            strings.add(current.toString());
        }
        List<PendingRename> pairs = new ArrayList<>();
        for (int i = 0; i + 1 < strings.size(); i++) {
            if (!strings.get(i).isEmpty()) {
                String source = strings.get(i);
                String destination = strings.get(i + 1);
                byte[] bytes = (source + "\0" + destination + "\0").getBytes(java.nio.charset.StandardCharsets.UTF_16LE);
                pairs.add(new PendingRename(bytes, source, destination));
            }
        }
        return Collections.unmodifiableList(pairs);
    }

    /** One decoding: a cursor over the value's UTF-16 units that checks every string before use. */
    private static final class Decoder {
        private final String valueName;
        private final byte[] raw;
        private final char[] units;

        Decoder(String valueName, byte[] raw) throws PendingRenamesException {
            this.valueName = valueName;
            this.raw = raw;
            if (raw.length % 2 != 0) {
                throw corrupt(raw.length - 1, "the value has an odd number of bytes (" + raw.length
                        + "), but REG_MULTI_SZ data is 2-byte UTF-16 units: this last byte has no partner");
            }
            units = new char[raw.length / 2];
            for (int i = 0; i < units.length; i++) {
                units[i] = (char) ((raw[2 * i] & 0xFF) | (raw[2 * i + 1] & 0xFF) << 8);
            }
        }

        List<PendingRename> entries() throws PendingRenamesException {
            List<PendingRename> entries = new ArrayList<>();
            int at = 0; // in units
            while (at < units.length) {
                if (units[at] == 0) {
                    checkEnd(at);
                    break;
                }
                int sourceEnd = stringEnd(at, "source");
                if (sourceEnd + 1 == units.length) {
                    throw corrupt(2 * at, "the source " + quote(text(at, sourceEnd))
                            + " has no destination: the value ends right after it (a delete needs an empty destination)");
                }
                int destinationEnd = stringEnd(sourceEnd + 1, "destination");
                byte[] bytes = new byte[2 * (destinationEnd + 1 - at)];
                System.arraycopy(raw, 2 * at, bytes, 0, bytes.length);
                entries.add(new PendingRename(bytes, text(at, sourceEnd), text(sourceEnd + 1, destinationEnd)));
                at = destinationEnd + 1;
            }
            return Collections.unmodifiableList(entries);
        }

        /** An empty string where a source belongs ends the list: at most one more NUL may follow. */
        private void checkEnd(int at) throws PendingRenamesException {
            int after = units.length - at - 1;
            if (after == 0 || (after == 1 && units[at + 1] == 0)) {
                return;
            }
            String end = "the list ends at byte offset " + (2 * at) + " (an empty string where a source would be,"
                    + " and a source is never empty)";
            if (units[at + 1] != 0) {
                throw corrupt(2 * (at + 1), end + ", but " + (2 * after) + " more bytes follow it");
            }
            throw corrupt(2 * (at + 2), end + " and a trailing empty string follows, but " + (2 * (after - 1))
                    + " more bytes follow that");
        }

        /** The index of the NUL that ends the string starting at {@code start}, which holds valid UTF-16. */
        private int stringEnd(int start, String role) throws PendingRenamesException {
            int i = start;
            while (i < units.length && units[i] != 0) {
                char c = units[i];
                if (Character.isHighSurrogate(c) && i + 1 < units.length && Character.isLowSurrogate(units[i + 1])) {
                    i += 2;
                    continue;
                }
                // A surrogate in the value's last unit is reported as the string's missing NUL below.
                if (Character.isSurrogate(c) && i + 1 < units.length) {
                    throw corrupt(2 * i, "an unpaired surrogate U+" + PendingRename.hex(c) + " in the " + role
                            + " that starts at byte offset " + (2 * start) + ", which is not valid UTF-16");
                }
                i++;
            }
            if (i == units.length) {
                throw corrupt(2 * start, "the " + role + " that starts here has no terminating NUL: the value ends inside it");
            }
            return i;
        }

        private String text(int start, int end) {
            return new String(units, start, end - start);
        }

        private PendingRenamesException corrupt(int offset, String problem) {
            return new PendingRenamesException(valueName, offset, problem);
        }

        private static String quote(String text) {
            if (text.length() <= QUOTE_LIMIT) {
                return "\"" + text + "\"";
            }
            int cut = Character.isHighSurrogate(text.charAt(QUOTE_LIMIT - 1)) ? QUOTE_LIMIT - 1 : QUOTE_LIMIT;
            return "\"" + text.substring(0, cut) + "...\"";
        }
    }
}
