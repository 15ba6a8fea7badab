package io.inuse.engine.replace;

import static io.inuse.engine.replace.PendingRenames.VALUE;
import static io.inuse.engine.replace.PendingRenames.VALUE_2;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The codec against values in Windows' format, built here unit by unit (docs/pending-renames.md):
 * every accepted form round trips byte for byte, edits keep every other entry's bytes, and each kind
 * of corrupt value is refused with its exact message.
 */
class PendingRenamesTest {
    private static final String SUFFIX = ". The value was left as it is; inspect it with: reg query"
            + " \"HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\" /v ";
    private static final String OURS = "C:\\Windows\\System32\\MAPI32.DLL";
    private static final String STAGED = "C:\\Windows\\System32\\MAPI32.DLL.inuse";
    private static final byte[] NUL = {0, 0};

    /** Each string's UTF-16LE units, low byte first, then a NUL unit: "" gives the list's final NUL. */
    static byte[] value(String... strings) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String s : strings) {
            for (int i = 0; i < s.length(); i++) {
                out.write(s.charAt(i) & 0xFF);
                out.write(s.charAt(i) >>> 8);
            }
            out.write(0);
            out.write(0);
        }
        return out.toByteArray();
    }

    static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        return out.toByteArray();
    }

    private static PendingRenames decode(byte[] raw) throws PendingRenamesException {
        return PendingRenames.decode(VALUE, raw);
    }

    // ---- Windows' format ---------------------------------------------------------------------

    @Test
    void aRenameWithReplaceExistingAsMoveFileExWritesIt() throws Exception {
        // \??\C:\a  !\??\C:\b  and the final NUL
        byte[] raw = HexFormat.of().parseHex("5c003f003f005c0043003a005c0061000000"
                + "21005c003f003f005c0043003a005c00620000000000");
        PendingRenames list = decode(raw);
        PendingRename entry = list.entries().get(0);
        assertEquals(1, list.entries().size());
        assertEquals("", entry.marker());
        assertEquals("\\??\\C:\\a", entry.source());
        assertEquals("C:\\a", entry.sourcePath());
        assertEquals("!\\??\\C:\\b", entry.destinationText());
        assertEquals("\\??\\C:\\b", entry.destination());
        assertEquals("C:\\b", entry.destinationPath());
        assertTrue(entry.replaceExisting());
        assertFalse(entry.isDelete());
        assertArrayEquals(java.util.Arrays.copyOf(raw, raw.length - 2), entry.raw());
        assertArrayEquals(raw, list.encode());
        assertEquals("\\??\\C:\\a -> !\\??\\C:\\b", entry.toString());
    }

    @Test
    void aDeleteHasAnEmptyDestination() throws Exception {
        PendingRename entry = decode(value("\\??\\C:\\Config.Msi\\3ec7bbbf.rbf", "", "")).entries().get(0);
        assertTrue(entry.isDelete());
        assertFalse(entry.replaceExisting());
        assertEquals("", entry.destination());
        assertEquals("", entry.destinationPath());
        assertEquals("C:\\Config.Msi\\3ec7bbbf.rbf", entry.sourcePath());
        assertEquals("\\??\\C:\\Config.Msi\\3ec7bbbf.rbf -> (delete)", entry.toString());
    }

    @Test
    void markersAreSplitOffAndKeptByteForByte() throws Exception {
        byte[] raw = value("*1\\??\\C:\\Temp\\DEL396A.tmp", "", "*2\\??\\C:\\x\\TxR.blf", "*1!\\??\\C:\\x\\TxR.blf.old",
                "*\\??\\C:\\y", "\\??\\C:\\z", "");
        List<PendingRename> entries = decode(raw).entries();
        assertEquals(List.of("*1", "*2", "*"), List.of(entries.get(0).marker(), entries.get(1).marker(), entries.get(2).marker()));
        assertEquals("\\??\\C:\\Temp\\DEL396A.tmp", entries.get(0).source());
        assertTrue(entries.get(0).sourceIs("C:\\Temp\\DEL396A.tmp"));
        assertEquals("*1", entries.get(1).destinationMarker());
        assertTrue(entries.get(1).replaceExisting());
        assertEquals("C:\\x\\TxR.blf.old", entries.get(1).destinationPath());
        assertFalse(entries.get(2).replaceExisting());
        assertEquals("", entries.get(2).destinationMarker());
        assertArrayEquals(raw, decode(raw).encode());
        assertArrayEquals(value("*2\\??\\C:\\x\\TxR.blf", "*1!\\??\\C:\\x\\TxR.blf.old"), entries.get(1).raw());
    }

    @Test
    void pathsWithCharactersOutsideTheBmpRoundTrip() throws Exception {
        byte[] raw = value("\\??\\C:\\Zoë\\東京\\🚀.dll", "!\\??\\C:\\Zoë\\東京\\😀.dll", "");
        PendingRenames list = decode(raw);
        assertEquals("C:\\Zoë\\東京\\😀.dll", list.entries().get(0).destinationPath());
        assertArrayEquals(raw, list.encode());
        assertArrayEquals(raw, decode(null).plus(PendingRename.rename("C:\\Zoë\\東京\\🚀.dll", "C:\\Zoë\\東京\\😀.dll", true)).encode());
    }

    // ---- accepted forms ------------------------------------------------------------------------

    @Test
    void everyAcceptedFormRoundTripsByteForByte() throws Exception {
        byte[] pair = value("\\??\\C:\\a", "\\??\\C:\\b");
        byte[] delete = value("\\??\\C:\\c", "");
        byte[][] accepted = {
            concat(pair, delete, NUL), // MoveFileEx's form
            concat(pair, delete), // no final NUL
            concat(pair, NUL, NUL), // a trailing empty string
            new byte[0], NUL, concat(NUL, NUL), // empty
        };
        int[] counts = {2, 2, 1, 0, 0, 0};
        for (int i = 0; i < accepted.length; i++) {
            PendingRenames list = decode(accepted[i]);
            assertEquals(counts[i], list.entries().size(), "form " + i);
            assertFalse(list.isChanged());
            assertArrayEquals(accepted[i], list.encode(), "form " + i);
            assertSame(list, list.withoutEntries(e -> false), "removing nothing is no edit");
            assertSame(list, list.withoutSources(List.of("C:\\other")));
        }
    }

    @Test
    void anEditWritesOneFinalNul() throws Exception {
        byte[] pair = value("\\??\\C:\\a", "\\??\\C:\\b");
        byte[] delete = value("\\??\\C:\\c", "");
        PendingRename ours = PendingRename.delete(STAGED);
        assertArrayEquals(concat(pair, delete, ours.raw(), NUL), decode(concat(pair, delete)).plus(ours).encode());
        assertArrayEquals(concat(pair, ours.raw(), NUL), decode(concat(pair, NUL, NUL)).plus(ours).encode());
        assertArrayEquals(concat(pair, NUL), decode(concat(pair, delete)).withoutSources(List.of("C:\\c")).encode());
    }

    @Test
    void theDataPassedInIsNeitherKeptNorChanged() throws Exception {
        byte[] raw = value("\\??\\C:\\a", "", "");
        byte[] copy = raw.clone();
        PendingRenames list = decode(raw);
        raw[0] = 'X';
        assertArrayEquals(copy, list.encode());
        list.encode()[0] = 'Y';
        list.entries().get(0).raw()[0] = 'Z';
        assertArrayEquals(copy, list.encode());
    }

    // ---- editing our entries only ------------------------------------------------------------

    @Test
    void removingOursKeepsForeignEntriesBeforeAndAfterByteForByte() throws Exception {
        byte[] before = value("*1\\??\\C:\\Users\\u\\AppData\\Local\\Temp\\.78eefce1.node", "");
        byte[] ours = value("\\??\\C:\\WINDOWS\\system32\\mapi32.dll.inuse", "!\\??\\" + OURS);
        byte[] after = value("\\??\\C:\\Program Files\\Acme\\a.dll", "!\\??\\C:\\Program Files\\Acme\\b.dll");
        PendingRenames list = decode(concat(before, ours, after, NUL));
        PendingRenames edited = list.withoutSources(List.of(STAGED));
        assertTrue(edited.isChanged());
        assertEquals(2, edited.entries().size());
        assertArrayEquals(concat(before, after, NUL), edited.encode());
        assertArrayEquals(concat(before, after, NUL),
                list.withoutEntries(e -> e.destinationIs(OURS) && e.sourceIs(STAGED)).encode());
    }

    @Test
    void addingOursAppendsWhatMoveFileExWouldWrite() throws Exception {
        byte[] foreign = value("\\??\\C:\\x.tmp", "");
        PendingRename rename = PendingRename.rename(STAGED, OURS, true);
        PendingRename plain = PendingRename.rename(STAGED, OURS, false);
        PendingRename delete = PendingRename.delete(STAGED);
        assertArrayEquals(value("\\??\\" + STAGED, "!\\??\\" + OURS), rename.raw());
        assertArrayEquals(value("\\??\\" + STAGED, "\\??\\" + OURS), plain.raw());
        assertArrayEquals(value("\\??\\" + STAGED, ""), delete.raw());
        PendingRenames list = decode(concat(foreign, NUL)).plus(rename).plus(delete);
        byte[] written = list.encode();
        assertArrayEquals(concat(foreign, rename.raw(), delete.raw(), NUL), written);
        assertEquals(List.of(decode(foreign).entries().get(0), rename, delete), decode(written).entries());
        assertEquals(list.entries().get(1), PendingRename.rename(STAGED, OURS, true));
    }

    @Test
    void removingEveryEntryLeavesAnEmptyListForTheEngineToDelete() throws Exception {
        PendingRenames list = decode(concat(PendingRename.delete(STAGED).raw(), NUL)).withoutSources(List.of(STAGED));
        assertTrue(list.isEmpty());
        assertTrue(list.isChanged());
        assertArrayEquals(NUL, list.encode());
    }

    @Test
    void aValueThatDoesNotExistIsAnEmptyListUntilOursIsAdded() throws Exception {
        PendingRenames absent = decode(null);
        assertTrue(absent.isEmpty());
        assertFalse(absent.isChanged());
        PendingRename ours = PendingRename.rename(STAGED, OURS, true);
        assertArrayEquals(concat(ours.raw(), NUL), absent.plus(ours).encode());
    }

    @Test
    void pathsMatchWithoutRegardToPrefixOrCase() throws Exception {
        PendingRename entry = decode(value("*1\\??\\C:\\Zoë\\A.DLL", "!\\??\\c:\\zoë\\b.dll", "")).entries().get(0);
        for (String spelling : List.of("C:\\Zoë\\A.DLL", "c:\\ZOË\\a.dll", "\\??\\C:\\zoë\\a.dll", "\\\\?\\C:\\ZOË\\A.dll")) {
            assertTrue(entry.sourceIs(spelling), spelling);
        }
        assertTrue(entry.destinationIs("C:\\ZOË\\B.DLL"));
        assertFalse(entry.sourceIs("*1\\??\\C:\\Zoë\\A.DLL"), "the marker is not part of a path");
        assertFalse(entry.sourceIs("C:\\Zoë\\A.DLL2"));
        assertFalse(PendingRename.samePath("C:\\Straße", "C:\\STRASSE"));
        assertFalse(decode(value("\\??\\C:\\a", "", "")).entries().get(0).destinationIs(""));
    }

    @Test
    void ourEntriesRefusePathsMoveFileExWouldNotHaveWritten() {
        String[][] cases = {
            {"", "the source of a pending rename is empty: give a full path such as C:\\Windows\\System32\\MAPI32.DLL"},
            {"MAPI32.DLL", "the source of a pending rename 'MAPI32.DLL' is not a full local path: it must start with"
                + " a drive letter and :\\ (for example C:\\Windows\\System32\\MAPI32.DLL)"},
            {"\\??\\C:\\a", null}, {"\\\\server\\share\\a", null}, {"C:/a", null},
            {"C:\\a\\", "the source of a pending rename 'C:\\a\\' has an empty, . or .. name at char 5; give the path as"
                + " GetFullPathName would, without a trailing \\"},
            {"C:\\a\\..\\b", null}, {"C:\\a\\\\b", null},
            {"C:\\a*.dll", "the source of a pending rename 'C:\\a*.dll' has the character U+002A at char 4, which Windows"
                + " does not allow in a file name"},
            {"C:\\a\tb", null}, {"C:\\a/b", null}, {"C:\\a:b", null},
            {"C:\\\uDE00", "the source of a pending rename 'C:\\\uDE00' has an unpaired surrogate U+DE00 at char 3, which is"
                + " not valid UTF-16"},
            {"C:\\a\uD83D", null},
        };
        for (String[] c : cases) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PendingRename.delete(c[0]), c[0]);
            if (c[1] != null) {
                assertEquals(c[1], e.getMessage());
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> PendingRename.rename(STAGED, "D:", true));
        assertTrue(e.getMessage().startsWith("the destination of a pending rename 'D:' is not a full local path"), e.getMessage());
    }

    // ---- corrupt values ------------------------------------------------------------------------

    @Test
    void anOddByteCountIsCorrupt() {
        byte[] raw = concat(value("\\??\\C:\\a", "", ""), new byte[] {0x41});
        PendingRenamesException e = assertThrows(PendingRenamesException.class, () -> decode(raw));
        assertEquals("PendingFileRenameOperations is corrupt at byte offset 22: the value has an odd number of bytes"
                + " (23), but REG_MULTI_SZ data is 2-byte UTF-16 units: this last byte has no partner. The value was"
                + " left as it is; inspect it with: reg query \"HKLM\\SYSTEM\\CurrentControlSet\\Control\\Session Manager\""
                + " /v PendingFileRenameOperations", e.getMessage());
        assertEquals(VALUE, e.valueName());
        assertEquals(22, e.offset());
    }

    @Test
    void aSourceWithoutDestinationIsCorrupt() {
        corrupt(VALUE, value("\\??\\C:\\a", "\\??\\C:\\b", "\\??\\C:\\c"), 36, "the source \"\\??\\C:\\c\" has no"
                + " destination: the value ends right after it (a delete needs an empty destination)");
    }

    @Test
    void aStringWithoutItsNulIsCorrupt() {
        byte[] source = value("\\??\\C:\\b");
        corrupt(VALUE, concat(value("\\??\\C:\\a", ""), java.util.Arrays.copyOf(source, source.length - 2)), 20,
                "the source that starts here has no terminating NUL: the value ends inside it");
        byte[] destination = value("!\\??\\C");
        corrupt(VALUE, concat(value("\\??\\C:\\a"), java.util.Arrays.copyOf(destination, destination.length - 2)), 18,
                "the destination that starts here has no terminating NUL: the value ends inside it");
    }

    @Test
    void anUnpairedSurrogateIsCorrupt() {
        corrupt(VALUE, value("\\??\\C:\\\uD83D", "", ""), 14,
                "an unpaired surrogate U+D83D in the source that starts at byte offset 0, which is not valid UTF-16");
        corrupt(VALUE, value("\\??\\C:\\a", "\\??\\C:\\\uDE00x", ""), 32,
                "an unpaired surrogate U+DE00 in the destination that starts at byte offset 18, which is not valid UTF-16");
    }

    @Test
    void dataAfterTheEndOfTheListIsCorrupt() {
        // an empty source in the middle: the list ends there, and whatever follows is no entry of it
        corrupt(VALUE, value("\\??\\C:\\a", "", "", "\\??\\C:\\b", "", ""), 22, "the list ends at byte offset 20 (an"
                + " empty string where a source would be, and a source is never empty), but 22 more bytes follow it");
        corrupt(VALUE, value("\\??\\C:\\a", "", "", "", "x"), 24, "the list ends at byte offset 20 (an empty string"
                + " where a source would be, and a source is never empty) and a trailing empty string follows, but 4"
                + " more bytes follow that");
        corrupt(VALUE, value("", "", ""), 4, "the list ends at byte offset 0 (an empty string where a source would"
                + " be, and a source is never empty) and a trailing empty string follows, but 2 more bytes follow that");
    }

    private static void corrupt(String name, byte[] raw, int offset, String problem) {
        byte[] copy = raw.clone();
        PendingRenamesException e = assertThrows(PendingRenamesException.class, () -> PendingRenames.decode(name, raw));
        assertEquals(name + " is corrupt at byte offset " + offset + ": " + problem + SUFFIX + name, e.getMessage());
        assertEquals(offset, e.offset());
        assertEquals(problem, e.problem());
        assertArrayEquals(copy, raw, "decoding leaves the bytes as they are");
    }

    // ---- the second value ----------------------------------------------------------------------

    @Test
    void theSecondValueIsNamedInItsErrorsAndAValueNeedsAName() {
        corrupt(VALUE_2, value("\\??\\C:\\a"), 0, "the source \"\\??\\C:\\a\" has no destination: the value ends right"
                + " after it (a delete needs an empty destination)");
        assertThrows(IllegalArgumentException.class, () -> PendingRenames.decode("", NUL));
    }
}
