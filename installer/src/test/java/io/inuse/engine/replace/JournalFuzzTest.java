package io.inuse.engine.replace;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.inuse.engine.detect.Locker;
import io.inuse.engine.machine.Service;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Random valid journals, then the same journals damaged: whatever the bytes, parse gives a journal
 * or a JournalException naming the file and nothing else. A damaged journal that still parses must
 * encode back to exactly its bytes (the encoding is canonical, so nothing in it was guessed). The
 * seed is fixed so that a failure can be replayed; the failure names the round and the bytes.
 */
class JournalFuzzTest {
    private static final long SEED = 0x10C4_3A11L;
    private static final int ROUNDS = 10_000;
    private static final String FILE = "fuzz\\journal.txt";
    private static final String[] PIECES = {"C:\\Windows\\System32\\", "MAPI32.DLL", "\\??\\", "!", "%", "%25", "%0A", "\t", "\r",
        "\n", "\u0000", "\u001F", "\u007F", "ë", "東京", "\uD83D\uDCE6", "\uFEFF", " ", "|", ";", ",", "1.0.0.0", "none"};
    private static final byte[] SPECIAL_BYTES = {'\t', '\n', '\r', '%', '0', 'A', 'a', '.', '{', '}', '-', 0, (byte) 0x7F,
        (byte) 0xC3, (byte) 0xE6, (byte) 0xED, (byte) 0xF0, (byte) 0xFF, (byte) 0x80, (byte) 0xBF};
    private static final String[] PRODUCTS = {JournalTest.PC, "{11111111-2222-3333-4444-555555555555}"};

    private Random random;
    private int round;

    @Test
    @Timeout(60) // a parser that loops forever on some input must fail, not hang the build
    void anyBytesGiveAJournalOrAJournalException() {
        random = new Random(SEED);
        long start = System.nanoTime();
        int stillParsed = 0;
        int lines = 0;
        for (round = 0; round < ROUNDS; round++) {
            Journal original = randomJournal();
            byte[] bytes = original.encode();
            lines += original.entries().size();
            Journal parsed = parse(bytes);
            if (parsed == null) {
                fail(where("the intact journal was refused", bytes));
            }
            assertEquals(original.entries(), parsed.entries(), () -> where("the intact journal read back differently", bytes));
            byte[] damaged = mutate(bytes);
            Journal survivor = parse(damaged);
            if (survivor != null) {
                stillParsed++;
                assertArrayEquals(damaged, survivor.encode(), () -> where("a damaged journal parsed, but encodes differently", damaged));
            }
        }
        long millis = (System.nanoTime() - start) / 1_000_000;
        System.out.printf("JournalFuzzTest: %d journals (%d lines, seed %#x) in %d ms; %d damaged journals still parsed%n",
                ROUNDS, lines, SEED, millis, stillParsed);
        assertTrue(stillParsed < ROUNDS / 2, "most damage must be noticed: " + stillParsed + " of " + ROUNDS + " parsed");
    }

    /** The journal in the bytes, or null when they were refused with a JournalException; anything else fails. */
    private Journal parse(byte[] bytes) {
        try {
            return Journal.parse(FILE, bytes);
        } catch (JournalException e) {
            assertTrue(e.getMessage().startsWith(FILE + ": ") && e.getMessage().contains("the journal is left as it is"),
                    () -> where("a refusal without the file's name: " + e.getMessage(), bytes));
            return null;
        } catch (RuntimeException e) {
            throw new AssertionError(where("parse threw " + e, bytes), e);
        }
    }

    private String where(String what, byte[] bytes) {
        return what + " (seed " + Long.toHexString(SEED) + ", round " + round + "): " + HexFormat.of().formatHex(bytes);
    }

    private Journal randomJournal() {
        String pc = PRODUCTS[random.nextInt(PRODUCTS.length)];
        Journal journal = Journal.empty();
        int runs = random.nextInt(4);
        for (int r = 0; r < runs; r++) {
            journal = journal.append(JournalEntry.begin(pc, random.nextBoolean() ? JournalEntry.INSTALL : JournalEntry.UNINSTALL, ReplaceFixture.RUN, text(true)));
            for (int i = random.nextInt(4); i > 0; i--) {
                journal = journal.append(operation(pc, random.nextInt(6)));
            }
            int end = random.nextInt(4); // 0 interrupted, 1 completed, 2 completed then rolled back, 3 rolled back
            if (end == 1 || end == 2) {
                journal = journal.append(JournalEntry.completed(pc, text(true)));
            }
            if (end >= 2) {
                for (int i = random.nextInt(3); i > 0; i--) {
                    journal = journal.append(operation(pc, 2 + random.nextInt(4)));
                }
                journal = journal.append(JournalEntry.rolledBack(pc, text(true)));
            }
        }
        return journal;
    }

    /** 0 BACKUP, 1 REPLACED, 2 QUEUED, 3 CANCELLED, 4 RESTORED, 5 REMOVED; 2 to 5 may follow COMPLETED. */
    private JournalEntry operation(String pc, int which) {
        switch (which) {
            case 0:
                return JournalEntry.backup(pc, text(true), text(true), version(false), text(true));
            case 1:
                return JournalEntry.replaced(pc, text(true), version(true), version(false), text(true));
            case 2:
                boolean delete = random.nextInt(4) == 0;
                return JournalEntry.queued(pc, text(true), text(true), text(true), delete ? "" : text(true), version(false),
                        delete ? JournalEntry.NONE : version(false), lockers(), text(true));
            case 3:
                return JournalEntry.cancelled(pc, text(true), random.nextBoolean() ? "" : text(true), text(true));
            case 4:
                return JournalEntry.restored(pc, text(true), text(true), version(false), text(true));
            default:
                return JournalEntry.removed(pc, text(true), version(false), text(true));
        }
    }

    private String text(boolean nonEmpty) {
        StringBuilder text = new StringBuilder();
        for (int i = random.nextInt(6) + (nonEmpty ? 1 : 0); i > 0; i--) {
            text.append(random.nextInt(3) == 0 ? String.valueOf((char) (0x20 + random.nextInt(0x5F))) : PIECES[random.nextInt(PIECES.length)]);
        }
        return text.toString();
    }

    private String version(boolean noneAllowed) {
        int kind = random.nextInt(noneAllowed ? 4 : 3);
        if (kind == 3) {
            return JournalEntry.NONE;
        }
        if (kind == 2) {
            return JournalEntry.UNVERSIONED;
        }
        return random.nextInt(3) + "." + random.nextInt(65536) + "." + random.nextInt(10) + "." + (kind == 0 ? 65535 : 0);
    }

    private List<Locker> lockers() {
        List<Locker> lockers = new ArrayList<>();
        for (int i = random.nextInt(3); i > 0; i--) {
            long pid = random.nextInt(100_000);
            // a short name is never empty (the service control manager requires one); a display name may be
            List<Service> services = random.nextBoolean() ? List.of() : List.of(new Service(text(true), text(random.nextBoolean()), pid));
            lockers.add(new Locker(pid, text(false), services.isEmpty() ? Locker.Kind.APPLICATION : Locker.Kind.SERVICE, services));
        }
        return lockers;
    }

    private byte[] mutate(byte[] bytes) {
        byte[] out = bytes.clone();
        switch (random.nextInt(9)) {
            case 0: // flip bits
                for (int i = 1 + random.nextInt(3); i > 0; i--) {
                    out[random.nextInt(out.length)] ^= (byte) (1 << random.nextInt(8));
                }
                return out;
            case 1: // a byte the format gives a meaning to
                out[random.nextInt(out.length)] = SPECIAL_BYTES[random.nextInt(SPECIAL_BYTES.length)];
                return out;
            case 2: // cut short
                return Arrays.copyOf(out, random.nextInt(out.length));
            case 3: { // a range removed
                int from = random.nextInt(out.length);
                int to = Math.min(out.length, from + 1 + random.nextInt(12));
                return concat(Arrays.copyOf(out, from), Arrays.copyOfRange(out, to, out.length));
            }
            case 4: { // bytes inserted
                int at = random.nextInt(out.length + 1);
                byte[] extra = new byte[1 + random.nextInt(4)];
                for (int i = 0; i < extra.length; i++) {
                    extra[i] = random.nextBoolean() ? SPECIAL_BYTES[random.nextInt(SPECIAL_BYTES.length)] : (byte) random.nextInt(256);
                }
                return concat(concat(Arrays.copyOf(out, at), extra), Arrays.copyOfRange(out, at, out.length));
            }
            default: // whole lines duplicated, dropped or swapped: the rules between lines must notice
                return shuffleLines(out);
        }
    }

    private byte[] shuffleLines(byte[] bytes) {
        List<String> lines = new ArrayList<>(Arrays.asList(new String(bytes, StandardCharsets.UTF_8).split("\n", -1)));
        lines.remove(lines.size() - 1); // the text ends with LF: the last piece is empty
        if (lines.size() < 2) {
            return bytes;
        }
        int a = 1 + random.nextInt(lines.size() - 1);
        int b = random.nextInt(lines.size());
        switch (random.nextInt(3)) {
            case 0:
                lines.add(b, lines.get(a));
                break;
            case 1:
                lines.remove(a);
                break;
            default:
                String line = lines.get(a);
                lines.set(a, lines.get(b));
                lines.set(b, line);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String line : lines) {
            out.writeBytes((line + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
