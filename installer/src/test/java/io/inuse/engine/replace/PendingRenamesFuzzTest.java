package io.inuse.engine.replace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import io.inuse.engine.RandomText;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Random valid values in every accepted form, then the same values damaged (bits flipped, cut,
 * bytes and NULs and surrogates inserted, slices and whole values repeated). Whatever the bytes,
 * decode gives a list or a PendingRenamesException with its message, never anything else; it
 * accepts exactly what a separate, plainer reading of the format here accepts, with the same
 * strings; and a list it accepts encodes back to exactly those bytes, keeps every entry's bytes
 * through removals, and encodes an edited list as the entries' bytes and one final NUL. The seed
 * is fixed so that a failure replays.
 */
class PendingRenamesFuzzTest {
    private static final long SEED = 0x9F20_2015L;
    private static final int ROUNDS = 100_000;
    private static final int DAMAGED_PER_ROUND = 2;
    private static final String[] MARKERS = {"*1", "*2", "*", "*12"};
    private static final char[] SPECIALS = {'!', '*', '\\', '?', ':', '.', ' ', 'ë', 'ß', '東', '\u0130', '\u00A0',
        '\uFFFD', '\uFFFF', '\u0001', '\n'};
    private static final String[] NAME_CHARACTERS = {"ë", "ß", "東", "😀", "İ"};
    private static final byte[] NUL = {0, 0};

    private Random random;
    private int round;
    private int decodedDespiteDamage;

    @Test
    @Timeout(60) // a decoder that loops on some input must fail, not hang the build
    void anyBytesGiveAListOrAPendingRenamesException() {
        random = new Random(SEED);
        long start = System.nanoTime();
        for (round = 0; round < ROUNDS; round++) {
            List<String[]> pairs = randomPairs();
            byte[] valid = encodeHere(pairs, random.nextInt(5));
            PendingRenames list = check(valid);
            if (list == null) {
                fail(where("a valid value was refused", valid));
            }
            checkEntries(pairs, list, valid);
            checkOurs(list, valid);
            for (int i = 0; i < DAMAGED_PER_ROUND; i++) {
                if (check(damage(valid)) != null) {
                    decodedDespiteDamage++;
                }
            }
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("PendingRenamesFuzzTest: %d values (%d valid, %d damaged, %d of those still valid), seed %#x,"
                + " %d ms%n", ROUNDS * (1 + DAMAGED_PER_ROUND), ROUNDS, ROUNDS * DAMAGED_PER_ROUND, decodedDespiteDamage,
                SEED, millis);
    }

    /** Decodes x; returns the list, or null when it was refused as it had to be. */
    private PendingRenames check(byte[] x) {
        List<String[]> expected = reference(x);
        PendingRenames list;
        try {
            list = PendingRenames.decode(PendingRenames.VALUE, x);
        } catch (PendingRenamesException e) {
            if (expected != null) {
                fail(where("a value the format allows was refused: " + e.getMessage(), x));
            }
            checkMessage(e, x);
            return null;
        } catch (Throwable t) { // also Errors: a StackOverflowError or OutOfMemoryError is a bug here
            throw new AssertionError(where("decode threw " + t, x), t);
        }
        if (expected == null) {
            fail(where("a value the format does not allow was accepted: " + list, x));
        }
        assertEquals(expected.size(), list.entries().size(), () -> where("entry count", x));
        for (int i = 0; i < expected.size(); i++) {
            int index = i;
            PendingRename entry = list.entries().get(i);
            assertEquals(expected.get(i)[0], entry.sourceText(), () -> where("source " + index, x));
            assertEquals(expected.get(i)[1], entry.destinationText(), () -> where("destination " + index, x));
        }
        checkEdits(list, x);
        return list;
    }

    /** A valid value's entries are the pairs it was made of, their parts views of their bytes. */
    private void checkEntries(List<String[]> pairs, PendingRenames list, byte[] x) {
        for (int i = 0; i < pairs.size(); i++) {
            String[] pair = pairs.get(i);
            PendingRename e = list.entries().get(i);
            int index = i;
            assertArrayEquals((pair[0] + '\0' + pair[1] + '\0').getBytes(StandardCharsets.UTF_16LE), e.raw(),
                    () -> where("entry " + index + "'s bytes", x));
            assertTrue(e.sourceText().equals(e.marker() + e.source()) && e.isDelete() == pair[1].isEmpty()
                    && e.destinationText().equals(e.destinationMarker() + (e.replaceExisting() ? "!" : "") + e.destination())
                    && e.sourceIs(e.sourcePath()), () -> where("entry " + index + "'s parts: " + e, x));
        }
    }

    private void checkMessage(PendingRenamesException e, byte[] x) {
        String head = PendingRenames.VALUE + " is corrupt at byte offset " + e.offset() + ": ";
        assertTrue(e.getMessage().startsWith(head) && e.getMessage().endsWith(" /v " + PendingRenames.VALUE)
                && e.getMessage().contains(". The value was left as it is"), () -> where("message: " + e.getMessage(), x));
        assertTrue(e.offset() >= 0 && e.offset() <= x.length && e.offset() % 2 == 0 && !e.problem().isEmpty(),
                () -> where("offset " + e.offset() + " of " + x.length + " bytes: " + e.getMessage(), x));
    }

    /** What every accepted value must allow: round trip, no-op edits, removals that keep bytes. */
    private void checkEdits(PendingRenames list, byte[] x) {
        assertArrayEquals(x, list.encode(), () -> where("re-encoding differs", x));
        assertSame(list, list.withoutEntries(e -> false), () -> where("removing nothing is an edit", x));
        assertSame(list, list.withoutSources(List.of()), () -> where("removing no source is an edit", x));
        List<PendingRename> entries = list.entries();
        Set<Integer> removed = new TreeSet<>();
        for (int i = 0; i < entries.size(); i++) {
            if (random.nextInt(3) == 0) {
                removed.add(i);
            }
        }
        List<PendingRename> kept = new ArrayList<>();
        PendingRenames edited = list;
        for (int i = entries.size() - 1; i >= 0; i--) {
            int index = i;
            if (removed.contains(i)) {
                edited = edited.withoutEntries(e -> e == entries.get(index));
            } else {
                kept.add(0, entries.get(i));
            }
        }
        byte[] expected = removed.isEmpty() ? x : rawOf(kept); // no removal, no edit
        assertArrayEquals(expected, edited.encode(), () -> where("removal changed a kept entry's bytes", x));
        PendingRenames emptied = list.withoutEntries(e -> true);
        PendingRenames again = emptied;
        for (PendingRename entry : entries) {
            again = again.plus(entry);
        }
        byte[] canonical = entries.isEmpty() ? x : rawOf(entries);
        assertArrayEquals(canonical, again.encode(), () -> where("removing and re-adding every entry", x));
        assertArrayEquals(entries.isEmpty() ? x : NUL, emptied.encode(), () -> where("emptied list", x));
    }

    /** Our entries: added after everyone's, found again by path, removed leaving the rest as they were. */
    private void checkOurs(PendingRenames list, byte[] x) {
        String from = "C:\\" + randomName() + "\\" + randomName() + ".inuse";
        String to = "c:\\" + randomName() + "\\MAPI32.DLL";
        PendingRename ours = random.nextBoolean() ? PendingRename.rename(from, to, random.nextBoolean()) : PendingRename.delete(from);
        byte[] written = list.plus(ours).encode();
        PendingRenames reread = check(written);
        if (reread == null) {
            fail(where("our entry made the value unreadable", written));
        }
        PendingRename last = reread.entries().get(reread.entries().size() - 1);
        assertEquals(ours, last, () -> where("our entry read back differently", written));
        assertTrue(last.sourceIs(upper(from)) && (ours.isDelete() || last.destinationIs("\\??\\" + to)),
                () -> where("our entry does not match its paths", written));
        PendingRenames without = reread.withoutEntries(e -> e.equals(ours));
        assertArrayEquals(rawOf(list.entries()), without.encode(), () -> where("removing ours touched another entry", x));
    }

    // ---- the format, read plainly ----------------------------------------------------------------

    /** The pairs of x read with the JDK's strict UTF-16LE decoder and String.indexOf; null when corrupt. */
    private static List<String[]> reference(byte[] x) {
        if (x.length % 2 != 0) {
            return null;
        }
        String s;
        try {
            s = StandardCharsets.UTF_16LE.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(x)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
        List<String[]> pairs = new ArrayList<>();
        int i = 0;
        while (i < s.length()) {
            int sourceEnd = s.indexOf('\0', i);
            if (sourceEnd == i) { // the end: nothing, or one trailing empty string, may follow
                String rest = s.substring(i + 1);
                return rest.isEmpty() || rest.equals("\0") ? pairs : null;
            }
            int destinationEnd = sourceEnd < 0 ? -1 : s.indexOf('\0', sourceEnd + 1);
            if (destinationEnd < 0) {
                return null;
            }
            pairs.add(new String[] {s.substring(i, sourceEnd), s.substring(sourceEnd + 1, destinationEnd)});
            i = destinationEnd + 1;
        }
        return pairs;
    }

    /** The value of these pairs: endings 0-2 one final NUL, 3 none, 4 a trailing empty string. */
    private static byte[] encodeHere(List<String[]> pairs, int ending) {
        StringBuilder text = new StringBuilder();
        for (String[] pair : pairs) {
            text.append(pair[0]).append('\0').append(pair[1]).append('\0');
        }
        text.append(ending < 3 ? "\0" : ending == 3 ? "" : "\0\0");
        return text.toString().getBytes(StandardCharsets.UTF_16LE);
    }

    private static byte[] rawOf(List<PendingRename> entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (PendingRename entry : entries) {
            out.writeBytes(entry.raw());
        }
        out.writeBytes(NUL);
        return out.toByteArray();
    }

    // ---- valid values ----------------------------------------------------------------------------

    private List<String[]> randomPairs() {
        int count = random.nextInt(10) == 0 ? random.nextInt(40) : random.nextInt(5);
        List<String[]> pairs = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String marker = random.nextInt(3) == 0 ? MARKERS[random.nextInt(MARKERS.length)] : "";
            String source = marker + (random.nextInt(8) == 0 ? "" : PendingRename.NT_PREFIX) + randomPath();
            String destination = "";
            if (random.nextInt(3) != 0) {
                String destinationMarker = random.nextInt(6) == 0 ? MARKERS[random.nextInt(MARKERS.length)] : "";
                destination = destinationMarker + (random.nextBoolean() ? "!" : "")
                        + (random.nextInt(8) == 0 ? "" : PendingRename.NT_PREFIX) + randomPath();
            }
            pairs.add(new String[] {source, destination});
        }
        return pairs;
    }

    private String randomPath() {
        return random.nextInt(20) == 0 ? randomText(1 + random.nextInt(300)) : "C:\\" + randomText(1 + random.nextInt(20));
    }

    private String randomName() {
        StringBuilder sb = new StringBuilder();
        for (int n = 1 + random.nextInt(8); n > 0; n--) {
            if (random.nextInt(4) == 0) {
                sb.append(NAME_CHARACTERS[random.nextInt(NAME_CHARACTERS.length)]);
            } else {
                sb.append((char) ('a' + random.nextInt(26)));
            }
        }
        return sb.toString();
    }

    /** Upper case unit by unit, as Windows compares names ("ß" stays "ß"). */
    private static String upper(String s) {
        char[] chars = s.toCharArray();
        for (int i = 0; i < chars.length; i++) {
            chars[i] = Character.toUpperCase(chars[i]);
        }
        return new String(chars);
    }

    /** No NUL and no unpaired surrogate: anything a valid value may hold. */
    private String randomText(int length) {
        return RandomText.of(random, length, SPECIALS);
    }

    // ---- damage ----------------------------------------------------------------------------------

    private byte[] damage(byte[] valid) {
        byte[] b = valid;
        for (int n = 1 + random.nextInt(3); n > 0; n--) {
            b = switch (random.nextInt(9)) {
                case 0 -> flip(b);
                case 1 -> Arrays.copyOf(b, random.nextInt(b.length + 1));
                case 2 -> insert(b, randomBytes(1 + random.nextInt(6)));
                case 3 -> insert(b, random.nextInt(4) == 0 ? new byte[] {0} : new byte[2]); // NULs, aligned or not
                case 4 -> insert(b, unit(0xD800 + random.nextInt(0x800))); // a surrogate, maybe unpaired
                case 5 -> delete(b);
                case 6 -> duplicateSlice(b);
                case 7 -> concat(b, random.nextBoolean() ? b : encodeHere(randomPairs(), random.nextInt(5)));
                default -> setUnit(b);
            };
        }
        return b;
    }

    private byte[] flip(byte[] b) {
        if (b.length == 0) {
            return b;
        }
        byte[] copy = b.clone();
        copy[random.nextInt(copy.length)] ^= (byte) (1 << random.nextInt(8));
        return copy;
    }

    /** Overwrites a unit with a NUL, a surrogate, or another character. */
    private byte[] setUnit(byte[] b) {
        if (b.length < 2) {
            return b;
        }
        int[] choices = {0, 0xD83D, 0xDE00, '!', '*', '\\'};
        int v = choices[random.nextInt(choices.length)];
        byte[] copy = b.clone();
        int at = 2 * random.nextInt(copy.length / 2);
        copy[at] = (byte) v;
        copy[at + 1] = (byte) (v >>> 8);
        return copy;
    }

    private byte[] insert(byte[] b, byte[] extra) {
        int at = random.nextInt(b.length + 1);
        return concat(Arrays.copyOf(b, at), extra, Arrays.copyOfRange(b, at, b.length));
    }

    private byte[] delete(byte[] b) {
        if (b.length == 0) {
            return b;
        }
        int at = random.nextInt(b.length);
        int n = 1 + random.nextInt(Math.min(8, b.length - at));
        return concat(Arrays.copyOf(b, at), Arrays.copyOfRange(b, at + n, b.length));
    }

    private byte[] duplicateSlice(byte[] b) {
        if (b.length == 0) {
            return b;
        }
        int from = random.nextInt(b.length);
        int to = from + 1 + random.nextInt(b.length - from);
        return concat(Arrays.copyOf(b, to), Arrays.copyOfRange(b, from, b.length));
    }

    private byte[] randomBytes(int n) {
        byte[] bytes = new byte[n];
        random.nextBytes(bytes);
        return bytes;
    }

    private static byte[] unit(int v) {
        return new byte[] {(byte) v, (byte) (v >>> 8)};
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private String where(String what, byte[] input) {
        return "round " + round + " (seed 0x" + Long.toHexString(SEED) + "): " + what + " on "
                + HexFormat.of().formatHex(input, 0, Math.min(input.length, 400)) + (input.length > 400 ? "..." : "");
    }
}
